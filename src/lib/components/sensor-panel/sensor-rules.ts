// The sensor panel's rules section: calls to /api/sensors/:id/rules (contract in $lib/api/rules) and the
// pure helpers that mark overridden values and turn the edit form back into an overrides object.
import type { RuleOverrideView, RuleOverridesView, RuleView, SensorRulesResponse } from '$lib/api/rules';

export type RulesLoad =
  | { kind: 'loading' }
  | { kind: 'loaded'; data: SensorRulesResponse }
  | { kind: 'failed'; status: number | string };

export type SaveResult =
  | { ok: true; data: SensorRulesResponse }
  | { ok: false; reason: 'invalid' | 'forbidden' | 'failed'; message: string };

/** A number a rule's form can edit. */
export type RuleParam = 'on' | 'off' | 'critical.on' | 'critical.off' | 'forSeconds';

/** The edit form: per rule id, per parameter, the text in the input. */
export type RuleForm = Record<string, Partial<Record<RuleParam, string>>>;

/** GET /api/sensors/:id/rules; never throws except on abort. */
export async function loadRules(sensorId: number, signal: AbortSignal): Promise<RulesLoad> {
  try {
    const res = await fetch(`/api/sensors/${sensorId}/rules`, {
      signal,
      headers: { accept: 'application/json' },
    });
    if (!res.ok) return { kind: 'failed', status: res.status };
    return { kind: 'loaded', data: (await res.json()) as SensorRulesResponse };
  } catch (err) {
    if (signal.aborted) throw err;
    return { kind: 'failed', status: err instanceof Error ? err.message : String(err) };
  }
}

/** PUT /api/sensors/:id/rules; null clears the overrides. Never throws. */
export async function saveRules(sensorId: number, overrides: RuleOverridesView | null): Promise<SaveResult> {
  try {
    const res = await fetch(`/api/sensors/${sensorId}/rules`, {
      method: 'PUT',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(overrides),
    });
    if (res.ok) return { ok: true, data: (await res.json()) as SensorRulesResponse };
    const message = await errorMessage(res);
    if (res.status === 400) return { ok: false, reason: 'invalid', message };
    if (res.status === 401 || res.status === 403) return { ok: false, reason: 'forbidden', message };
    return { ok: false, reason: 'failed', message };
  } catch (err) {
    return { ok: false, reason: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}

/** SvelteKit's error JSON is { message }; anything else falls back to the status. */
async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // not JSON
  }
  return `HTTP ${res.status}`;
}

/** The numbers of a rule an officer may change, in display order. */
export function ruleParams(rule: RuleView): RuleParam[] {
  switch (rule.kind) {
    case 'threshold':
      return rule.critical
        ? ['on', 'off', 'critical.on', 'critical.off', 'forSeconds']
        : ['on', 'off', 'forSeconds'];
    case 'battery':
      return ['on', 'off'];
    default:
      return ['forSeconds'];
  }
}

/** A parameter's value in a rule; a missing duration is 0 (fires at once). */
export function paramValue(rule: RuleView, param: RuleParam): number | undefined {
  switch (param) {
    case 'on':
      return rule.on;
    case 'off':
      return rule.off;
    case 'critical.on':
      return rule.critical?.on;
    case 'critical.off':
      return rule.critical?.off;
    case 'forSeconds':
      return rule.forSeconds ?? 0;
  }
}

/** Whether the sensor's overrides change this parameter of this rule. */
export function isOverridden(overrides: RuleOverridesView | null, ruleId: string, param: RuleParam): boolean {
  const o = overrides?.[ruleId];
  if (!o) return false;
  const key = param.startsWith('critical.') ? 'critical' : (param as keyof RuleOverrideView);
  return o[key] !== undefined;
}

/** The form filled with the effective values. */
export function formFrom(effective: readonly RuleView[]): RuleForm {
  const form: RuleForm = {};
  for (const rule of effective) {
    const row: Partial<Record<RuleParam, string>> = {};
    for (const p of ruleParams(rule)) {
      const v = paramValue(rule, p);
      row[p] = v === undefined ? '' : String(v);
    }
    form[rule.id] = row;
  }
  return form;
}

/**
 * The overrides to send for a filled form: each number that differs from the family's becomes an override
 * (a critical band travels whole), an empty input means the family's value, and what the form cannot edit
 * (severity, switched-off rules) is kept from the current overrides. Text that is not a number is sent as
 * it is, so the server's refusal names it. Null when nothing differs from the family.
 */
export function overridesFromForm(
  familyRules: readonly RuleView[],
  current: RuleOverridesView | null,
  form: RuleForm,
): RuleOverridesView | null {
  const out: Record<string, Record<string, unknown>> = {};
  for (const rule of familyRules) {
    const kept = current?.[rule.id];
    const o: Record<string, unknown> = {};
    if (kept?.enabled !== undefined) o.enabled = kept.enabled;
    if (kept?.severity !== undefined) o.severity = kept.severity;
    const row = form[rule.id] ?? {};
    /** The input's number; `fallback` when it is empty; the text itself when it is not a number. */
    const read = (p: RuleParam, fallback: number | undefined): unknown => {
      const text = (row[p] ?? '').trim();
      if (text === '') return fallback;
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    };
    for (const p of ['on', 'off', 'forSeconds'] as const) {
      if (!ruleParams(rule).includes(p)) continue;
      const family = paramValue(rule, p);
      const v = read(p, family);
      if (v !== family) o[p] = v;
    }
    // A critical band that an override added to a rule without one stays an override.
    const band = rule.critical ?? kept?.critical;
    if (band) {
      const on = read('critical.on', band.on);
      const off = read('critical.off', band.off);
      if (!rule.critical || on !== rule.critical.on || off !== rule.critical.off) o.critical = { on, off };
    }
    if (Object.keys(o).length > 0) out[rule.id] = o;
  }
  return Object.keys(out).length > 0 ? (out as RuleOverridesView) : null;
}
