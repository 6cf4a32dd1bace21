// Alarm rules as data (sensor_types.rules, overridden per sensor by sensors.rule_overrides) and the pure
// evaluation of one reading against them, remembering hysteresis and durations in sensor_state.rule_state.
import { z } from 'zod';
import { FAMILY_FIELDS } from './ingest';
import type { Evaluation, RuleMemory, RuleOutcome } from './ingest-contract';
import { isOffline, type SensorFamily } from './sensor-state';

/** Fields every rule has. */
interface RuleBase {
  /** Stable id "<family>.<name>", e.g. "manhole.tilt"; alarms and overrides refer to it. */
  id: string;
  /** The reading field the rule watches. */
  field: string;
  /** False switches the rule off (an override for a sensor whose signal is known to be bad). */
  enabled?: boolean;
}

/** Numeric limit with hysteresis: fires at `on`, clears only once past `off`. */
export interface ThresholdRule extends RuleBase {
  kind: 'threshold';
  /** "above": fires when value ≥ on, clears when value ≤ off; "below": fires ≤ on, clears ≥ off. */
  comparison: 'above' | 'below';
  /** Level at which the rule fires. */
  on: number;
  /** Level the value must get back past before the rule clears (the hysteresis band is on..off). */
  off: number;
  /** 1 warning, 2 critical. */
  severity: 1 | 2;
  /** A second, worse level that raises an active warning to critical (same alarm, severity up); moot at severity 2. */
  critical?: { on: number; off: number };
  /** The condition must hold this long (device time) before the rule becomes active. */
  forSeconds?: number;
  /** Only applies while another boolean field has this value (e.g. lamp current only while lamp_on). */
  when?: { field: string; equals: boolean };
}

/** A boolean signal: true → active (open cover, trapped passengers, leak, smoke). */
export interface FlagRule extends RuleBase {
  kind: 'flag';
  /** 1 warning, 2 critical. */
  severity: 1 | 2;
  /** The flag must stay true this long (device time) before the rule becomes active. */
  forSeconds?: number;
}

/** A numeric code: non-zero → active (an elevator controller's fault code). */
export interface CodeRule extends RuleBase {
  kind: 'code';
  /** 1 warning, 2 critical. */
  severity: 1 | 2;
  /** The code must stay non-zero this long (device time) before the rule becomes active. */
  forSeconds?: number;
}

/** Low battery: asks for maintenance, never raises the sensor's alarm state. */
export interface BatteryRule extends RuleBase {
  kind: 'battery';
  /** Maintenance is due when the charge is at or below this, per cent. */
  on: number;
  /** Maintenance is done once the charge is back at or above this (a fresh battery), per cent. */
  off: number;
}

/** One rule of a sensor family. */
export type Rule = ThresholdRule | FlagRule | CodeRule | BatteryRule;

/** Per-rule change a single sensor may carry (sensors.rule_overrides[ruleId]). */
export interface RuleOverride {
  /** New firing level (threshold, battery). */
  on?: number;
  /** New clearing level (threshold, battery). */
  off?: number;
  /** New severity (threshold, flag, code). */
  severity?: 1 | 2;
  /** New critical level (threshold). */
  critical?: { on: number; off: number };
  /** New duration; 0 removes it (threshold, flag, code). */
  forSeconds?: number;
  /** False switches the rule off for this sensor. */
  enabled?: boolean;
}

/** Per-sensor overrides keyed by rule id. */
export type RuleOverrides = Record<string, RuleOverride>;

/** A rule definition could not be used; the message names the rule and the field. */
export class RuleError extends Error {
  override name = 'RuleError';
}

const RULE_ID_RE = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const severity = z.union([z.literal(1), z.literal(2)]);
const forSeconds = z.number().int().min(0).max(86_400);
const band = z.strictObject({ on: finite, off: finite });
const base = { id: z.string().regex(RULE_ID_RE), field: z.string().min(1), enabled: z.boolean().optional() };

const ruleSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...base,
    kind: z.literal('threshold'),
    comparison: z.enum(['above', 'below']),
    on: finite,
    off: finite,
    severity,
    critical: band.optional(),
    forSeconds: forSeconds.optional(),
    when: z.strictObject({ field: z.string().min(1), equals: z.boolean() }).optional(),
  }),
  z.strictObject({ ...base, kind: z.literal('flag'), severity, forSeconds: forSeconds.optional() }),
  z.strictObject({ ...base, kind: z.literal('code'), severity, forSeconds: forSeconds.optional() }),
  z.strictObject({
    ...base,
    kind: z.literal('battery'),
    on: finite.min(0).max(100),
    off: finite.min(0).max(100),
  }),
]) satisfies z.ZodType<Rule>;

const overrideSchema = z.strictObject({
  on: finite.optional(),
  off: finite.optional(),
  severity: severity.optional(),
  critical: band.optional(),
  forSeconds: forSeconds.optional(),
  enabled: z.boolean().optional(),
}) satisfies z.ZodType<RuleOverride>;

const issueText = (e: z.ZodError) =>
  e.issues.map((i) => `${i.path.length ? i.path.join('.') : '(rule)'}: ${i.message}`).join('; ');

/** Checks what zod cannot: band directions and that the field exists with the right type in the family. */
function checkRule(rule: Rule, family: SensorFamily | undefined): void {
  const fail = (msg: string) => {
    throw new RuleError(`rule "${rule.id}": ${msg}`);
  };
  const wants = rule.kind === 'flag' ? 'boolean' : 'number';
  if (family) {
    if (!rule.id.startsWith(`${family}.`)) fail(`id must start with "${family}."`);
    const spec = (FAMILY_FIELDS[family] as Record<string, { type: string }>)[rule.field];
    if (!spec) fail(`field "${rule.field}" is not a ${family} reading field`);
    else if (spec.type !== wants)
      fail(`field "${rule.field}" is a ${spec.type}, a ${rule.kind} rule needs a ${wants}`);
  }
  const above = rule.kind === 'threshold' ? rule.comparison === 'above' : false;
  const checkBand = (on: number, off: number, what: string) => {
    // A band the wrong way round would flap on every reading, the thing hysteresis exists to prevent.
    if (above ? off > on : off < on) {
      fail(`${what}off (${off}) must be ${above ? 'at or below' : 'at or above'} ${what}on (${on})`);
    }
  };
  if (rule.kind === 'threshold' || rule.kind === 'battery') checkBand(rule.on, rule.off, '');
  if (rule.kind === 'threshold' && rule.critical) {
    checkBand(rule.critical.on, rule.critical.off, 'critical.');
    if (above ? rule.critical.on < rule.on : rule.critical.on > rule.on) {
      fail(`critical.on (${rule.critical.on}) must be beyond on (${rule.on})`);
    }
  }
  if (family && rule.kind === 'threshold' && rule.when) {
    const spec = (FAMILY_FIELDS[family] as Record<string, { type: string }>)[rule.when.field];
    if (spec?.type !== 'boolean') fail(`when.field "${rule.when.field}" is not a boolean ${family} field`);
  }
}

/**
 * Validates rules loaded from the database or config (sensor_types.rules). Pass the family to also check
 * that every field exists in its readings. Throws a RuleError naming the rule and the field.
 */
export function parseRules(json: unknown, family?: SensorFamily): Rule[] {
  if (!Array.isArray(json)) throw new RuleError('rules must be a JSON array');
  const seen = new Set<string>();
  return json.map((raw, i) => {
    const result = ruleSchema.safeParse(raw);
    const name = isNamed(raw) ? `"${raw.id}"` : `#${i}`;
    if (!result.success) throw new RuleError(`rule ${name}: ${issueText(result.error)}`);
    const rule = result.data as Rule;
    if (seen.has(rule.id)) throw new RuleError(`rule "${rule.id}" is defined twice`);
    seen.add(rule.id);
    checkRule(rule, family);
    return rule;
  });
}

const isNamed = (x: unknown): x is { id: string } =>
  typeof x === 'object' && x !== null && typeof (x as { id?: unknown }).id === 'string';

const APPLIES: Record<keyof RuleOverride, readonly Rule['kind'][]> = {
  on: ['threshold', 'battery'],
  off: ['threshold', 'battery'],
  severity: ['threshold', 'flag', 'code'],
  critical: ['threshold'],
  forSeconds: ['threshold', 'flag', 'code'],
  enabled: ['threshold', 'flag', 'code', 'battery'],
};

/**
 * A sensor's effective rules: the family's rules with its overrides applied (keyed by rule id). Throws a
 * RuleError naming the rule for an unknown id, a bad value or a change that does not fit the rule's kind.
 */
export function applyOverrides(rules: readonly Rule[], overrides: unknown): Rule[] {
  if (overrides === null || overrides === undefined) return [...rules];
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new RuleError('rule overrides must be an object keyed by rule id');
  }
  const byId = new Map(rules.map((r) => [r.id, r]));
  const patched = new Map<string, Rule>();
  for (const [id, raw] of Object.entries(overrides)) {
    const rule = byId.get(id);
    if (!rule) throw new RuleError(`override for unknown rule "${id}"`);
    const result = overrideSchema.safeParse(raw);
    if (!result.success) throw new RuleError(`override of rule "${id}": ${issueText(result.error)}`);
    const o = result.data;
    for (const key of Object.keys(o) as (keyof RuleOverride)[]) {
      if (!APPLIES[key].includes(rule.kind)) {
        throw new RuleError(`override of rule "${id}": ${key} does not apply to a ${rule.kind} rule`);
      }
    }
    const next = { ...rule, ...o } as Rule;
    if ('forSeconds' in next && next.forSeconds === 0) delete next.forSeconds;
    checkRule(next, undefined);
    patched.set(id, next);
  }
  return rules.map((r) => patched.get(r.id) ?? r);
}

/** What the rules remember about one rule of one sensor. Only non-idle rules are stored. */
interface RuleEntry {
  /** The rule is active (after duration and hysteresis). */
  active: boolean;
  /** Severity while active (a threshold with a critical band moves between 1 and 2). */
  level?: 1 | 2;
  /** Device time (epoch ms, capped at server time) since when the condition holds. */
  since?: number;
}

/** The shape stored in sensor_state.rule_state. */
export interface RulesMemory {
  /** Device time of the last evaluated reading, epoch ms; older or equal readings are stale. */
  lastTs?: number;
  /** Per rule id, the rules that are active or waiting out a duration. */
  rules: Record<string, RuleEntry>;
}

/**
 * True when memory holds nothing but the time of the last reading: no rule active or waiting out a
 * duration. Ingest stores such memory as null (the state row keeps that time, and a reading not newer
 * than it is dropped before the rules see it), which is most sensors most of the time.
 */
export function idleMemory(memory: RuleMemory | null): boolean {
  if (memory === null) return true;
  const rules = memory.rules;
  if (typeof rules !== 'object' || rules === null) return false;
  for (const _ in rules) return false;
  for (const k in memory) if (k !== 'lastTs' && k !== 'rules') return false;
  return true;
}

/** Reads stored memory defensively: it is jsonb written by an older version, or null for a new sensor. */
function readMemory(memory: RuleMemory | null | undefined): RulesMemory {
  const out: RulesMemory = { rules: {} };
  if (!memory) return out;
  if (typeof memory.lastTs === 'number') out.lastTs = memory.lastTs;
  const rules = memory.rules;
  if (typeof rules === 'object' && rules !== null) {
    for (const [id, e] of Object.entries(rules as Record<string, unknown>)) {
      if (typeof e !== 'object' || e === null) continue;
      const entry = e as Partial<RuleEntry>;
      const kept: RuleEntry = { active: entry.active === true };
      if (entry.level === 1 || entry.level === 2) kept.level = entry.level;
      if (typeof entry.since === 'number') kept.since = entry.since;
      out.rules[id] = kept;
    }
  }
  return out;
}

// Plain functions, not closures per reading: ingest evaluates every reading (tens of thousands a second).
/** True when `v` is at or beyond `x` in the rule's direction. */
const beyond = (up: boolean, v: number, x: number) => (up ? v >= x : v <= x);
/** True when `v` is back at or inside `x`. */
const cleared = (up: boolean, v: number, x: number) => (up ? v <= x : v >= x);

/** Condition level of one rule on one reading: 0 not holding, else the severity; null = no data. */
function conditionLevel(
  rule: Rule,
  values: Record<string, unknown>,
  prev: RuleEntry | undefined,
): 0 | 1 | 2 | null {
  const v = values[rule.field];
  const active = prev?.active === true;
  switch (rule.kind) {
    case 'flag':
      return typeof v === 'boolean' ? (v ? rule.severity : 0) : null;
    case 'code':
      return typeof v === 'number' ? (v !== 0 ? rule.severity : 0) : null;
    case 'battery':
      if (typeof v !== 'number') return null;
      return (active ? v < rule.off : v <= rule.on) ? 1 : 0;
    case 'threshold': {
      if (typeof v !== 'number') return null;
      if (rule.when) {
        const guard = values[rule.when.field];
        if (typeof guard !== 'boolean') return null;
        if (guard !== rule.when.equals) return 0;
      }
      const up = rule.comparison === 'above';
      const holds = active ? !cleared(up, v, rule.off) : beyond(up, v, rule.on);
      if (!holds) return 0;
      if (!rule.critical || rule.severity === 2) return rule.severity; // already critical from `on`
      const wasCritical = active && prev?.level === 2;
      return (wasCritical ? !cleared(up, v, rule.critical.off) : beyond(up, v, rule.critical.on)) ? 2 : 1;
    }
  }
}

/** A rule not holding and not waiting (shared: entries are never changed in place). */
const INACTIVE: RuleEntry = Object.freeze({ active: false });

/** Advances one rule's memory by one reading taken at `at` (epoch ms). */
function step(
  rule: Rule,
  prev: RuleEntry | undefined,
  values: Record<string, unknown>,
  at: number,
): RuleEntry {
  const level = conditionLevel(rule, values, prev);
  if (level === null) return prev ?? INACTIVE; // the field is absent: nothing new to decide on
  if (level === 0) return INACTIVE; // clearing is immediate; an interrupted duration starts over
  const since = prev?.since ?? at;
  const wait = 'forSeconds' in rule && rule.forSeconds ? rule.forSeconds * 1000 : 0;
  if (prev?.active || at - since >= wait) return { active: true, level, since };
  return { active: false, since };
}

/**
 * Evaluates one reading against a sensor's rules. Durations count in device time, capped at `now` so a
 * device clock running ahead cannot cut a "for 5 min" short. A reading not newer than the last one
 * evaluated is stale: memory is returned untouched, no outcomes, and the state the memory already implies.
 * Disabled rules report inactive so an alarm they raised clears. Battery rules set `maintenance`, not state.
 */
export function evaluate(
  rules: readonly Rule[],
  memory: RuleMemory | null | undefined,
  values: Record<string, unknown>,
  ts: Date,
  now: Date,
): Evaluation {
  const prev = readMemory(memory);
  const t = ts.getTime();
  if (prev.lastTs !== undefined && t <= prev.lastTs) {
    let state: 0 | 1 | 2 = 0;
    const maintenanceRuleIds: string[] = [];
    for (const rule of rules) {
      const e = prev.rules[rule.id];
      if (rule.enabled === false || !e?.active) continue;
      if (rule.kind === 'battery') maintenanceRuleIds.push(rule.id);
      else state = Math.max(state, e.level ?? rule.severity) as 0 | 1 | 2;
    }
    return {
      state,
      memory: memory ?? {},
      outcomes: [],
      maintenance: maintenanceRuleIds.length > 0,
      maintenanceRuleIds,
      stale: true,
    };
  }
  const at = Math.min(t, now.getTime());
  const next: RulesMemory = { lastTs: t, rules: {} };
  const outcomes: RuleOutcome[] = [];
  const maintenanceRuleIds: string[] = [];
  let state: 0 | 1 | 2 = 0;
  for (const rule of rules) {
    if (rule.enabled === false) {
      if (rule.kind !== 'battery') outcomes.push({ ruleId: rule.id, severity: rule.severity, active: false });
      continue;
    }
    const entry = step(rule, prev.rules[rule.id], values, at);
    if (entry.active || entry.since !== undefined) next.rules[rule.id] = entry;
    if (rule.kind === 'battery') {
      if (entry.active) maintenanceRuleIds.push(rule.id);
      continue;
    }
    const level = entry.active ? (entry.level ?? rule.severity) : rule.severity;
    outcomes.push({ ruleId: rule.id, severity: level, active: entry.active });
    if (entry.active) state = Math.max(state, level) as 0 | 1 | 2;
  }
  return {
    state,
    memory: next as unknown as RuleMemory,
    outcomes,
    maintenance: maintenanceRuleIds.length > 0,
    maintenanceRuleIds,
    stale: false,
  };
}

/**
 * When a silent device went offline: lastReportAt + heartbeat once that has passed, otherwise null. A
 * device that never reported has nothing to count from and is offline as of `now`. Heartbeats are checked
 * by a periodic sweep, not per reading, because silence produces no reading to evaluate.
 */
export function offlineSince(lastReportAt: Date | null, now: Date, heartbeatSeconds: number): Date | null {
  if (!isOffline(lastReportAt, now, heartbeatSeconds)) return null;
  return lastReportAt ? new Date(lastReportAt.getTime() + heartbeatSeconds * 1000) : now;
}

/** A short human-readable form of a rule for panels and logs, e.g. "tilt_deg ≥ 5 (clears ≤ 3)". */
export function describeRule(rule: Rule): string {
  const wait = 'forSeconds' in rule && rule.forSeconds ? ` for ${rule.forSeconds} s` : '';
  switch (rule.kind) {
    case 'flag':
      return `${rule.field} = true${wait}`;
    case 'code':
      return `${rule.field} ≠ 0${wait}`;
    case 'battery':
      return `${rule.field} ≤ ${rule.on} (maintenance until ≥ ${rule.off})`;
    case 'threshold': {
      const [on, off] = rule.comparison === 'above' ? ['≥', '≤'] : ['≤', '≥'];
      const crit = rule.critical
        ? `; critical ${on} ${rule.critical.on} (until ${off} ${rule.critical.off})`
        : '';
      const when = rule.when ? ` while ${rule.when.field} = ${rule.when.equals}` : '';
      return `${rule.field} ${on} ${rule.on}${wait} (clears ${off} ${rule.off})${crit}${when}`;
    }
  }
}
