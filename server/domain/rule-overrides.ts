// Per-sensor rule overrides as an officer sends them: a strict check against the sensor's family rules
// before anything is stored. Pure; every refusal names the rule, the field and the reason.
import { FAMILY_FIELDS, type FieldSpec } from './ingest';
import { applyOverrides, RuleError, type Rule, type RuleOverride, type RuleOverrides } from './rules';
import type { SensorFamily } from './sensor-state';

/** Longest duration a rule may wait before firing, seconds (one day, as rules.ts allows). */
export const MAX_FOR_SECONDS = 86_400;

/** Which override fields fit which rule kind, in the order they are stored. */
const FIELDS_BY_KIND: Record<keyof RuleOverride, readonly Rule['kind'][]> = {
  enabled: ['threshold', 'flag', 'code', 'battery'],
  severity: ['threshold', 'flag', 'code'],
  on: ['threshold', 'battery'],
  off: ['threshold', 'battery'],
  critical: ['threshold'],
  forSeconds: ['threshold', 'flag', 'code'],
};
const FIELD_ORDER = Object.keys(FIELDS_BY_KIND) as (keyof RuleOverride)[];

/** Outcome of checking an overrides body. */
export type OverrideCheck =
  | {
      ok: true;
      /** The overrides to store, in a canonical order; null clears them (empty body or only empty entries). */
      overrides: RuleOverrides | null;
      /** The rules ingest will evaluate with them. */
      effective: Rule[];
    }
  | {
      ok: false;
      /** Where the problem is, e.g. "manhole.tilt.off"; "" for the body as a whole. */
      path: string;
      /** What is wrong, naming the rule and field, for the HTTP 400 answer. */
      message: string;
    };

class Refusal extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const typeName = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'an array' : `a ${typeof x}`);
const show = (x: unknown) => {
  const s = typeof x === 'string' ? JSON.stringify(x) : String(x);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};
const fieldsFor = (kind: Rule['kind']) => FIELD_ORDER.filter((f) => FIELDS_BY_KIND[f].includes(kind));

/**
 * Checks an overrides body (PUT /api/sensors/:id/rules) against the sensor's family rules: an object keyed
 * by rule id, each entry a change of fields that fit the rule's kind, values of the right type within the
 * field's measuring range, and bands that keep their hysteresis. `null` or `{}` clears the overrides.
 */
export function checkRuleOverrides(
  family: SensorFamily,
  familyRules: readonly Rule[],
  body: unknown,
): OverrideCheck {
  try {
    const overrides = normalise(family, familyRules, body);
    return { ok: true, overrides, effective: applyOverrides(familyRules, overrides) };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, path: err.path, message: err.message };
    // applyOverrides agreeing with this check is the point; if it still refuses, say what it said.
    if (err instanceof RuleError) return { ok: false, path: '', message: err.message };
    throw err;
  }
}

function normalise(family: SensorFamily, rules: readonly Rule[], body: unknown): RuleOverrides | null {
  if (body === null || body === undefined) return null;
  if (!isObject(body)) {
    throw new Refusal(
      '',
      `the body must be an object keyed by rule id (or null to clear the overrides), got ${typeName(body)}`,
    );
  }
  const byId = new Map(rules.map((r) => [r.id, r]));
  const checked = new Map<string, RuleOverride>();
  for (const [id, raw] of Object.entries(body)) {
    const rule = byId.get(id);
    if (!rule) {
      throw new Refusal(id, `unknown rule; a ${family} sensor has ${rules.map((r) => r.id).join(', ')}`);
    }
    const change = checkEntry(family, rule, raw);
    if (Object.keys(change).length > 0) checked.set(id, change);
  }
  if (checked.size === 0) return null;
  const out: RuleOverrides = {};
  for (const r of rules) {
    const change = checked.get(r.id);
    if (change) out[r.id] = change;
  }
  return out;
}

/** One rule's change: known fields of the right type, in canonical order, then the merged rule's bands. */
function checkEntry(family: SensorFamily, rule: Rule, raw: unknown): RuleOverride {
  if (!isObject(raw)) throw new Refusal(rule.id, `must be an object of changes, got ${typeName(raw)}`);
  const allowed = fieldsFor(rule.kind);
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(FIELDS_BY_KIND, key)) {
      throw new Refusal(
        `${rule.id}.${key}`,
        `unknown field; a ${rule.kind} rule can change ${allowed.join(', ')}`,
      );
    }
    if (!allowed.includes(key as keyof RuleOverride)) {
      throw new Refusal(
        `${rule.id}.${key}`,
        `does not apply to a ${rule.kind} rule; it can change ${allowed.join(', ')}`,
      );
    }
  }
  const spec = measuringRange(family, rule.field);
  const level = (path: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Refusal(
        path,
        `must be a number, got ${typeName(v)}${typeof v === 'number' ? ` (${v})` : ''}`,
      );
    }
    if (spec && (v < spec.min || v > spec.max)) {
      const unit = spec.unit ? ` ${spec.unit}` : '';
      throw new Refusal(
        path,
        `${v} is outside the measuring range of ${rule.field} (${spec.min}..${spec.max}${unit}): the rule could never fire or clear`,
      );
    }
    return v;
  };

  const out: RuleOverride = {};
  for (const key of FIELD_ORDER) {
    if (!(key in raw)) continue;
    const v = raw[key];
    const path = `${rule.id}.${key}`;
    switch (key) {
      case 'enabled':
        if (typeof v !== 'boolean') throw new Refusal(path, `must be true or false, got ${typeName(v)}`);
        out.enabled = v;
        break;
      case 'severity':
        if (v !== 1 && v !== 2)
          throw new Refusal(path, `must be 1 (warning) or 2 (critical), got ${show(v)}`);
        out.severity = v;
        break;
      case 'on':
      case 'off':
        out[key] = level(path, v);
        break;
      case 'critical': {
        if (!isObject(v)) throw new Refusal(path, `must be an object { on, off }, got ${typeName(v)}`);
        for (const k of Object.keys(v)) {
          if (k !== 'on' && k !== 'off')
            throw new Refusal(`${path}.${k}`, 'unknown field; critical has on and off');
        }
        if (!('on' in v) || !('off' in v)) {
          throw new Refusal(path, `needs both on and off (missing ${'on' in v ? 'off' : 'on'})`);
        }
        out.critical = { on: level(`${path}.on`, v.on), off: level(`${path}.off`, v.off) };
        break;
      }
      case 'forSeconds':
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new Refusal(path, `must be a number of seconds, got ${typeName(v)}`);
        }
        if (v < 0) throw new Refusal(path, `must not be negative, got ${v}`);
        if (!Number.isInteger(v)) throw new Refusal(path, `must be a whole number of seconds, got ${v}`);
        if (v > MAX_FOR_SECONDS)
          throw new Refusal(path, `must be at most ${MAX_FOR_SECONDS} (one day), got ${v}`);
        out.forSeconds = v;
        break;
    }
  }
  checkBands({ ...rule, ...out } as Rule, out);
  return out;
}

/** The field's measuring range when it is a numeric field of the family. */
function measuringRange(family: SensorFamily, field: string) {
  const spec = (FAMILY_FIELDS[family] as Record<string, FieldSpec | undefined>)[field];
  return spec?.type === 'number' ? spec : undefined;
}

/**
 * Hysteresis must survive the change: a band the wrong way round would raise and clear the alarm on every
 * reading. Blames the field the sensor's change touched (the family rule itself is known to be sound).
 */
function checkBands(rule: Rule, change: RuleOverride): void {
  if (rule.kind !== 'threshold' && rule.kind !== 'battery') return;
  // A battery rule works like a "below" threshold: maintenance at or under `on`, done at or over `off`.
  const above = rule.kind === 'threshold' && rule.comparison === 'above';
  const dir = rule.kind === 'battery' ? 'a battery rule' : above ? 'an "above" rule' : 'a "below" rule';
  const [atOrPast, pastOrAt] = above ? ['at or below', 'at or above'] : ['at or above', 'at or below'];
  const blame = (a: string, b: string, touchedA: boolean) => `${rule.id}.${touchedA ? a : b}`;

  if (above ? rule.off > rule.on : rule.off < rule.on) {
    throw new Refusal(
      blame('off', 'on', 'off' in change),
      `the clear threshold off (${rule.off}) must be ${atOrPast} the raise threshold on (${rule.on}) for ${dir}, or the alarm would flap`,
    );
  }
  if (rule.kind !== 'threshold' || !rule.critical) return;
  const c = rule.critical;
  const touchedCritical = 'critical' in change;
  if (above ? c.off > c.on : c.off < c.on) {
    throw new Refusal(
      `${rule.id}.critical.off`,
      `the critical clear threshold (${c.off}) must be ${atOrPast} the critical threshold (${c.on}) for ${dir}`,
    );
  }
  if (above ? c.on < rule.on : c.on > rule.on) {
    throw new Refusal(
      touchedCritical ? `${rule.id}.critical.on` : `${rule.id}.on`,
      `the critical threshold (${c.on}) must be ${pastOrAt} the raise threshold on (${rule.on}) for ${dir}`,
    );
  }
}

/** Serialises with sorted keys, so two override objects compare by content whatever the key order. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (isObject(x)) {
    const keys = Object.keys(x).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(x[k])}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

/** True when two stored override values mean the same (null and {} both mean "none"). */
export function sameOverrides(a: unknown, b: unknown): boolean {
  const none = (x: unknown) => x === null || x === undefined || (isObject(x) && Object.keys(x).length === 0);
  if (none(a) || none(b)) return none(a) && none(b);
  return canonical(a) === canonical(b);
}
