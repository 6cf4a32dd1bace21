import { describe, expect, it } from 'vitest';
import { can, type Actor } from './roles';
import { checkRuleOverrides, MAX_FOR_SECONDS, sameOverrides } from './rule-overrides';
import { evaluate, type Rule } from './rules';
import { DEFAULT_RULES } from './rules.defaults';
import type { SensorFamily } from './sensor-state';

const manhole = DEFAULT_RULES.manhole;
const hydrant = DEFAULT_RULES.hydrant;
const streetlight = DEFAULT_RULES.streetlight;

/** The refusal of a body, or fails the test when it was accepted. */
function refusal(body: unknown, rules: readonly Rule[] = manhole, family: SensorFamily = 'manhole') {
  const r = checkRuleOverrides(family, rules, body);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.overrides)}`);
  return r;
}

function accepted(body: unknown, rules: readonly Rule[] = manhole, family: SensorFamily = 'manhole') {
  const r = checkRuleOverrides(family, rules, body);
  if (!r.ok) throw new Error(`expected acceptance, got "${r.message}"`);
  return r;
}

const ruleOf = (rules: readonly Rule[], id: string) => rules.find((r) => r.id === id)!;

describe('checkRuleOverrides: accepted bodies', () => {
  it('clears the overrides with null, {} or entries that change nothing', () => {
    for (const body of [null, {}, { 'manhole.tilt': {} }]) {
      const r = accepted(body);
      expect(r.overrides).toBeNull();
      expect(r.effective).toEqual(manhole);
    }
  });

  it('applies a lower threshold and keeps the family rules of the other rules', () => {
    const r = accepted({ 'manhole.tilt': { on: 3, off: 2 } });
    expect(r.overrides).toEqual({ 'manhole.tilt': { on: 3, off: 2 } });
    expect(ruleOf(r.effective, 'manhole.tilt')).toMatchObject({
      on: 3,
      off: 2,
      critical: { on: 15, off: 12 },
    });
    expect(ruleOf(r.effective, 'manhole.displacement')).toBe(ruleOf(manhole, 'manhole.displacement'));
  });

  it('stores entries in the family order and fields in a fixed order, whatever the body order', () => {
    const r = accepted({
      'manhole.water_level': { off: 90, on: 110 },
      'manhole.open': { forSeconds: 30, severity: 1 },
    });
    expect(JSON.stringify(r.overrides)).toBe(
      '{"manhole.open":{"severity":1,"forSeconds":30},"manhole.water_level":{"on":110,"off":90}}',
    );
  });

  it('accepts every field on the kinds it fits: severity, enabled, critical band, durations, battery levels', () => {
    const r = accepted({
      'manhole.open': { severity: 1, forSeconds: 60, enabled: true },
      'manhole.tilt': { critical: { on: 20, off: 18 }, forSeconds: MAX_FOR_SECONDS },
      'manhole.displacement': { enabled: false },
      'manhole.battery': { on: 10, off: 30 },
    });
    expect(ruleOf(r.effective, 'manhole.open')).toMatchObject({ severity: 1, forSeconds: 60 });
    expect(ruleOf(r.effective, 'manhole.tilt')).toMatchObject({ critical: { on: 20, off: 18 } });
    expect(ruleOf(r.effective, 'manhole.displacement').enabled).toBe(false);
    expect(ruleOf(r.effective, 'manhole.battery')).toMatchObject({ on: 10, off: 30 });
  });

  it('takes a duration of 0 as "fires at once" (removes the family duration)', () => {
    const r = accepted({ 'hydrant.low_pressure': { forSeconds: 0 } }, hydrant, 'hydrant');
    expect(ruleOf(r.effective, 'hydrant.low_pressure')).not.toHaveProperty('forSeconds');
  });

  it('checks "below" rules the other way round', () => {
    const r = accepted({ 'hydrant.low_pressure': { on: 0.2, off: 0.25 } }, hydrant, 'hydrant');
    expect(ruleOf(r.effective, 'hydrant.low_pressure')).toMatchObject({ on: 0.2, off: 0.25 });
    // A band of zero width is no hysteresis, but it is not the wrong way round.
    accepted({ 'manhole.tilt': { on: 4, off: 4 } });
  });

  it('gives rules that ingest evaluates with the new threshold', () => {
    const { effective } = accepted({ 'manhole.tilt': { on: 3, off: 2 } });
    const at = new Date('2026-01-01T00:00:00Z');
    const values = { tilt_deg: 4, displacement_mm: 0, open: false, water_level_cm: 0, battery_pct: 90 };
    expect(evaluate(manhole, null, values, at, at).state).toBe(0);
    expect(evaluate(effective, null, values, at, at).state).toBe(1);
  });
});

describe('checkRuleOverrides: refusals', () => {
  it('refuses a body that is not an object keyed by rule id', () => {
    for (const body of [[], 'manhole.tilt', 42, true]) {
      const r = refusal(body);
      expect(r.path).toBe('');
      expect(r.message).toMatch(/object keyed by rule id/);
    }
  });

  it('refuses an unknown rule id and lists the rules the sensor has', () => {
    const r = refusal({ 'manhole.tilt': { on: 6 }, 'manhole.smell': { on: 1 } });
    expect(r.path).toBe('manhole.smell');
    expect(r.message).toMatch(/^manhole\.smell: unknown rule;.*manhole\.tilt/);
    // A rule of another family is as unknown as a made-up one.
    expect(refusal({ 'hydrant.leak': { severity: 2 } }).path).toBe('hydrant.leak');
  });

  it('refuses an entry that is not an object', () => {
    for (const entry of [5, null, [1, 2], 'on']) {
      expect(refusal({ 'manhole.tilt': entry }).message).toMatch(
        /manhole\.tilt: must be an object of changes/,
      );
    }
  });

  it('refuses an unknown field, and a known field on a kind it does not fit', () => {
    const unknown = refusal({ 'manhole.tilt': { on: 6, threshold: 7 } });
    expect(unknown.path).toBe('manhole.tilt.threshold');
    expect(unknown.message).toMatch(/unknown field; a threshold rule can change enabled, severity, on, off/);
    const misfit = refusal({ 'manhole.open': { on: 1 } });
    expect(misfit.path).toBe('manhole.open.on');
    expect(misfit.message).toMatch(/does not apply to a flag rule/);
    expect(refusal({ 'manhole.battery': { forSeconds: 60 } }).path).toBe('manhole.battery.forSeconds');
    expect(refusal(JSON.parse('{"manhole.tilt": {"toString": 1}}')).message).toMatch(/unknown field/);
    expect(refusal(JSON.parse('{"__proto__": {"on": 1}}')).message).toMatch(/^__proto__: unknown rule/);
    expect(refusal({ 'manhole.tilt': { critical: { on: 20, off: 18, at: 1 } } }).path).toBe(
      'manhole.tilt.critical.at',
    );
  });

  it('refuses values of the wrong type, naming the field', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ 'manhole.tilt': { on: '6' } }, 'manhole.tilt.on', /must be a number, got a string/],
      [{ 'manhole.tilt': { off: null } }, 'manhole.tilt.off', /must be a number, got null/],
      [{ 'manhole.tilt': { on: Number.NaN } }, 'manhole.tilt.on', /must be a number/],
      [{ 'manhole.tilt': { severity: 3 } }, 'manhole.tilt.severity', /must be 1 \(warning\) or 2/],
      [{ 'manhole.tilt': { severity: '2' } }, 'manhole.tilt.severity', /must be 1 \(warning\) or 2/],
      [{ 'manhole.tilt': { enabled: 'no' } }, 'manhole.tilt.enabled', /must be true or false/],
      [{ 'manhole.tilt': { forSeconds: '60' } }, 'manhole.tilt.forSeconds', /must be a number of seconds/],
      [{ 'manhole.tilt': { forSeconds: 1.5 } }, 'manhole.tilt.forSeconds', /whole number of seconds/],
      [{ 'manhole.tilt': { critical: 20 } }, 'manhole.tilt.critical', /must be an object \{ on, off \}/],
      [
        { 'manhole.tilt': { critical: { on: 20 } } },
        'manhole.tilt.critical',
        /needs both on and off \(missing off\)/,
      ],
      [
        { 'manhole.tilt': { critical: { on: 20, off: 'x' } } },
        'manhole.tilt.critical.off',
        /must be a number/,
      ],
    ];
    for (const [body, path, message] of cases) {
      const r = refusal(body);
      expect(r.path, JSON.stringify(body)).toBe(path);
      expect(r.message, JSON.stringify(body)).toMatch(message);
      expect(r.message.startsWith(`${path}: `)).toBe(true);
    }
  });

  it('refuses negative and over-long durations', () => {
    expect(refusal({ 'manhole.open': { forSeconds: -5 } }).message).toBe(
      'manhole.open.forSeconds: must not be negative, got -5',
    );
    expect(refusal({ 'manhole.open': { forSeconds: MAX_FOR_SECONDS + 1 } }).message).toMatch(/at most 86400/);
  });

  it('refuses a clear threshold on the wrong side of the raise threshold', () => {
    // "above": clears at or below where it fires.
    const above = refusal({ 'manhole.tilt': { on: 5, off: 6 } });
    expect(above.path).toBe('manhole.tilt.off');
    expect(above.message).toMatch(
      /clear threshold off \(6\) must be at or below the raise threshold on \(5\)/,
    );
    // Only `on` changed: the family `off` (3) is now above it, and `on` is blamed.
    expect(refusal({ 'manhole.tilt': { on: 2 } }).path).toBe('manhole.tilt.on');
    // "below": clears at or above where it fires.
    const below = refusal({ 'hydrant.low_pressure': { off: 0.12 } }, hydrant, 'hydrant');
    expect(below.path).toBe('hydrant.low_pressure.off');
    expect(below.message).toMatch(/must be at or above the raise threshold on \(0\.14\) for a "below" rule/);
    // Battery: maintenance is done at or above where it was asked for.
    expect(refusal({ 'manhole.battery': { on: 30, off: 20 } }).message).toMatch(/for a battery rule/);
  });

  it('refuses a critical band the wrong way round or short of the raise threshold', () => {
    const band = refusal({ 'manhole.tilt': { critical: { on: 15, off: 16 } } });
    expect(band.path).toBe('manhole.tilt.critical.off');
    const short = refusal({ 'manhole.tilt': { critical: { on: 4, off: 3 } } });
    expect(short.path).toBe('manhole.tilt.critical.on');
    expect(short.message).toMatch(
      /critical threshold \(4\) must be at or above the raise threshold on \(5\)/,
    );
    // Raising `on` past the family's critical level is refused on `on`.
    expect(refusal({ 'manhole.tilt': { on: 16, off: 14 } }).path).toBe('manhole.tilt.on');
  });

  it("refuses levels outside the field's measuring range", () => {
    const r = refusal({ 'manhole.tilt': { on: 120, off: 100, critical: { on: 150, off: 140 } } });
    expect(r.path).toBe('manhole.tilt.on');
    expect(r.message).toMatch(/120 is outside the measuring range of tilt_deg \(0\.\.90 °\)/);
    expect(refusal({ 'manhole.battery': { on: -1 } }).path).toBe('manhole.battery.on');
    expect(refusal({ 'streetlight.overcurrent': { on: 60 } }, streetlight, 'streetlight').path).toBe(
      'streetlight.overcurrent.on',
    );
  });
});

describe('sameOverrides', () => {
  it('compares by content, whatever the key order, and takes null and {} as "none"', () => {
    expect(sameOverrides({ a: { on: 1, off: 2 } }, { a: { off: 2, on: 1 } })).toBe(true);
    expect(sameOverrides({ a: { on: 1 } }, { a: { on: 2 } })).toBe(false);
    expect(sameOverrides(null, {})).toBe(true);
    expect(sameOverrides(null, { a: { on: 1 } })).toBe(false);
  });
});

describe('who may override rules', () => {
  it("lets only duty officers and admins change a sensor's rules", () => {
    const actor = (role: Actor['role']): Actor => ({ role, departmentId: role === 'staff' ? 7 : null });
    expect(can(actor('officer'), 'rules:override')).toBe(true);
    expect(can(actor('admin'), 'rules:override')).toBe(true);
    expect(can(actor('leader'), 'rules:override')).toBe(false);
    expect(can(actor('staff'), 'rules:override')).toBe(false);
    expect(can(null, 'rules:override')).toBe(false);
  });
});
