import { describe, expect, it } from 'vitest';
import type { Evaluation, RuleMemory } from './ingest-contract';
import {
  applyOverrides,
  describeRule,
  evaluate,
  idleMemory,
  offlineSince,
  parseRules,
  RuleError,
  type Rule,
} from './rules';
import { DEFAULT_RULES } from './rules.defaults';
import { classifyReading, normalReading, faultReading, SENSOR_FAMILY_CODES } from './sensor-state';
import { createRandom } from './random';

const T0 = Date.parse('2025-03-01T08:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** Feeds readings one after another, as ingest would, and returns every evaluation. */
function run(
  rules: readonly Rule[],
  readings: [seconds: number, values: Record<string, unknown>][],
): Evaluation[] {
  let memory: RuleMemory | null = null;
  return readings.map(([s, values]) => {
    const e = evaluate(rules, memory, values, at(s), at(s));
    memory = e.memory;
    return e;
  });
}
const activeOf = (e: Evaluation, id: string) => e.outcomes.find((o) => o.ruleId === id)?.active;

const tilt: Rule = {
  id: 'manhole.tilt',
  kind: 'threshold',
  field: 'tilt_deg',
  comparison: 'above',
  on: 5,
  off: 3,
  severity: 1,
};
const lowPressure: Rule = {
  id: 'hydrant.low_pressure',
  kind: 'threshold',
  field: 'pressure_mpa',
  comparison: 'below',
  on: 0.14,
  off: 0.16,
  severity: 2,
  forSeconds: 300,
};

describe('threshold rule with hysteresis', () => {
  it('fires when the value crosses on, stays on between on and off, and clears only past off', () => {
    const states = run(
      [tilt],
      [
        [0, { tilt_deg: 4.9 }],
        [60, { tilt_deg: 5 }],
        [120, { tilt_deg: 4 }],
        [180, { tilt_deg: 3.1 }],
        [240, { tilt_deg: 3 }],
        [300, { tilt_deg: 4.5 }],
      ],
    ).map((e) => e.state);
    expect(states).toEqual([0, 1, 1, 1, 0, 0]);
  });

  it('does not flap when a noisy value hovers around the firing level', () => {
    const noisy = [5.1, 4.8, 5.2, 4.6, 5.0, 4.9].map((v, i): [number, Record<string, unknown>] => [
      i * 10,
      { tilt_deg: v },
    ]);
    const results = run([tilt], noisy);
    expect(results.map((e) => activeOf(e, 'manhole.tilt'))).toEqual([true, true, true, true, true, true]);
  });

  it('works downwards for "below" rules', () => {
    const rule: Rule = { ...lowPressure, forSeconds: undefined };
    const states = run(
      [rule],
      [
        [0, { pressure_mpa: 0.3 }],
        [1, { pressure_mpa: 0.14 }],
        [2, { pressure_mpa: 0.15 }],
        [3, { pressure_mpa: 0.16 }],
      ],
    ).map((e) => e.state);
    expect(states).toEqual([0, 2, 2, 0]);
  });

  it('raises a warning to critical past the critical level and back with its own hysteresis', () => {
    const rule: Rule = { ...tilt, critical: { on: 15, off: 12 } };
    const results = run(
      [rule],
      [
        [0, { tilt_deg: 6 }],
        [1, { tilt_deg: 16 }],
        [2, { tilt_deg: 13 }],
        [3, { tilt_deg: 11 }],
        [4, { tilt_deg: 2 }],
      ],
    );
    expect(results.map((e) => e.state)).toEqual([1, 2, 2, 1, 0]);
    expect(results[1].outcomes).toEqual([{ ruleId: 'manhole.tilt', severity: 2, active: true }]);
  });

  it('only applies while its guard field has the given value', () => {
    const lampOut = DEFAULT_RULES.streetlight.find((r) => r.id === 'streetlight.lamp_out')!;
    const states = run(
      [lampOut],
      [
        [0, { lamp_on: false, current_a: 0 }],
        [1, { lamp_on: true, current_a: 0.02 }],
        [2, { lamp_on: false, current_a: 0.02 }],
      ],
    ).map((e) => e.state);
    expect(states).toEqual([0, 1, 0]);
  });

  it('keeps its previous verdict when the reading lacks the field', () => {
    const results = run(
      [tilt],
      [
        [0, { tilt_deg: 9 }],
        [1, {}],
      ],
    );
    expect(results[1].state).toBe(1);
  });
});

describe('duration condition (forSeconds)', () => {
  it('is not active before the condition has held for the duration', () => {
    const results = run(
      [lowPressure],
      [
        [0, { pressure_mpa: 0.12 }],
        [120, { pressure_mpa: 0.11 }],
        [299, { pressure_mpa: 0.12 }],
      ],
    );
    expect(results.map((e) => e.state)).toEqual([0, 0, 0]);
    expect(results[2].memory).toMatchObject({
      rules: { 'hydrant.low_pressure': { active: false, since: T0 } },
    });
  });

  it('becomes active once the condition has held for the duration by device time', () => {
    const results = run(
      [lowPressure],
      [
        [0, { pressure_mpa: 0.12 }],
        [150, { pressure_mpa: 0.12 }],
        [300, { pressure_mpa: 0.13 }],
      ],
    );
    expect(results.map((e) => e.state)).toEqual([0, 0, 2]);
  });

  it('starts over when the condition is interrupted', () => {
    const results = run(
      [lowPressure],
      [
        [0, { pressure_mpa: 0.12 }],
        [200, { pressure_mpa: 0.3 }],
        [250, { pressure_mpa: 0.12 }],
        [400, { pressure_mpa: 0.12 }],
        [550, { pressure_mpa: 0.12 }],
      ],
    );
    expect(results.map((e) => e.state)).toEqual([0, 0, 0, 0, 2]);
  });

  it('counts a device clock ahead of ours only up to now', () => {
    // The device says 10 minutes have passed, but the server has seen only 1: not long enough.
    let memory: RuleMemory = evaluate([lowPressure], null, { pressure_mpa: 0.1 }, at(0), at(0)).memory;
    const e = evaluate([lowPressure], memory, { pressure_mpa: 0.1 }, at(600), at(60));
    expect(e.state).toBe(0);
    memory = e.memory;
    expect(evaluate([lowPressure], memory, { pressure_mpa: 0.1 }, at(700), at(301)).state).toBe(2);
  });

  it('applies to flags too', () => {
    const rule: Rule = { id: 'gas.smoke', kind: 'flag', field: 'smoke', severity: 2, forSeconds: 30 };
    const results = run(
      [rule],
      [
        [0, { smoke: true }],
        [20, { smoke: true }],
        [30, { smoke: true }],
        [40, { smoke: false }],
      ],
    );
    expect(results.map((e) => e.state)).toEqual([0, 0, 2, 0]);
  });
});

describe('flag and code rules', () => {
  it('flag: true is active at the rule severity, false clears', () => {
    const trapped = DEFAULT_RULES.elevator.find((r) => r.id === 'elevator.trapped')!;
    const results = run(
      [trapped],
      [
        [0, { trapped: false }],
        [1, { trapped: true }],
        [2, { trapped: false }],
      ],
    );
    expect(results.map((e) => e.state)).toEqual([0, 2, 0]);
  });

  it('code: any non-zero code is active, zero clears', () => {
    const fault = DEFAULT_RULES.elevator.find((r) => r.id === 'elevator.fault')!;
    const results = run(
      [fault],
      [
        [0, { fault_code: 0 }],
        [1, { fault_code: 35 }],
        [2, { fault_code: 12 }],
        [3, { fault_code: 0 }],
      ],
    );
    expect(results.map((e) => e.state)).toEqual([0, 1, 1, 0]);
  });

  it('state is the worst active rule', () => {
    const e = evaluate(DEFAULT_RULES.elevator, null, { fault_code: 12, trapped: true }, at(0), at(0));
    expect(e.state).toBe(2);
    expect(e.outcomes.filter((o) => o.active).map((o) => o.ruleId)).toEqual([
      'elevator.trapped',
      'elevator.fault',
    ]);
  });
});

describe('battery rule', () => {
  const battery = DEFAULT_RULES.manhole.find((r) => r.id === 'manhole.battery')!;

  it('asks for maintenance without raising the alarm state, with hysteresis', () => {
    const results = run(
      [battery],
      [
        [0, { battery_pct: 40 }],
        [1, { battery_pct: 15 }],
        [2, { battery_pct: 18 }],
        [3, { battery_pct: 100 }],
      ],
    );
    expect(results.map((e) => e.maintenance)).toEqual([false, true, true, false]);
    expect(results.map((e) => e.state)).toEqual([0, 0, 0, 0]);
    expect(results[1].outcomes).toEqual([]);
    expect(results[1].maintenanceRuleIds).toEqual(['manhole.battery']);
  });
});

describe('out-of-order and duplicate readings', () => {
  it('leave memory untouched, keep the state and report no outcomes', () => {
    const [, second] = run(
      [tilt],
      [
        [0, { tilt_deg: 1 }],
        [60, { tilt_deg: 8 }],
      ],
    );
    const late = evaluate([tilt], second.memory, { tilt_deg: 0 }, at(30), at(90));
    expect(late).toEqual({
      state: 1,
      memory: second.memory,
      outcomes: [],
      maintenance: false,
      maintenanceRuleIds: [],
      stale: true,
    });
    const duplicate = evaluate([tilt], second.memory, { tilt_deg: 0 }, at(60), at(90));
    expect(duplicate.stale).toBe(true);
    expect(evaluate([tilt], second.memory, { tilt_deg: 0 }, at(61), at(90)).state).toBe(0);
  });

  it('do not mutate the memory they were given', () => {
    const memory = Object.freeze({ lastTs: T0, rules: Object.freeze({}) });
    expect(() => evaluate([tilt], memory, { tilt_deg: 9 }, at(1), at(1))).not.toThrow();
  });
});

describe('memory', () => {
  it('stores only rules that are active or waiting out a duration', () => {
    const e = evaluate(DEFAULT_RULES.manhole, null, { tilt_deg: 7, open: false }, at(0), at(0));
    expect(e.memory).toEqual({
      lastTs: T0,
      rules: { 'manhole.tilt': { active: true, level: 1, since: T0 } },
    });
  });

  it('survives a JSON round trip (it is stored as jsonb) and tolerates garbage', () => {
    const first = evaluate([tilt], null, { tilt_deg: 7 }, at(0), at(0));
    const stored = JSON.parse(JSON.stringify(first.memory)) as RuleMemory;
    expect(evaluate([tilt], stored, { tilt_deg: 4 }, at(1), at(1)).state).toBe(1);
    expect(evaluate([tilt], { rules: 'nonsense', lastTs: 'x' }, { tilt_deg: 4 }, at(1), at(1)).state).toBe(0);
  });
});

describe('overrides', () => {
  it('change levels, severity and duration of one sensor', () => {
    const rules = applyOverrides(DEFAULT_RULES.manhole, { 'manhole.tilt': { on: 8, off: 6, severity: 2 } });
    expect(rules.find((r) => r.id === 'manhole.tilt')).toMatchObject({ on: 8, off: 6, severity: 2 });
    expect(evaluate(rules, null, { tilt_deg: 7 }, at(0), at(0)).state).toBe(0);
    expect(DEFAULT_RULES.manhole.find((r) => r.id === 'manhole.tilt')).toMatchObject({ on: 5 });
  });

  it('forSeconds 0 removes a duration', () => {
    const rules = applyOverrides(DEFAULT_RULES.hydrant, { 'hydrant.low_pressure': { forSeconds: 0 } });
    expect(evaluate(rules, null, { pressure_mpa: 0.05 }, at(0), at(0)).state).toBe(2);
  });

  it('a disabled rule never fires and reports inactive so its alarm clears', () => {
    const rules = applyOverrides(DEFAULT_RULES.manhole, { 'manhole.open': { enabled: false } });
    const e = evaluate(rules, null, { open: true, tilt_deg: 1 }, at(0), at(0));
    expect(e.state).toBe(0);
    expect(e.outcomes.find((o) => o.ruleId === 'manhole.open')).toEqual({
      ruleId: 'manhole.open',
      severity: 2,
      active: false,
    });
  });

  it('accepts no overrides', () => {
    expect(applyOverrides(DEFAULT_RULES.drain, null)).toEqual(DEFAULT_RULES.drain);
  });

  it.each([
    [{ 'manhole.nope': { on: 1 } }, 'override for unknown rule "manhole.nope"'],
    [{ 'manhole.tilt': { on: 'high' } }, 'override of rule "manhole.tilt": on:'],
    [{ 'manhole.tilt': { severity: 3 } }, 'override of rule "manhole.tilt": severity:'],
    [{ 'manhole.tilt': { colour: 'red' } }, 'override of rule "manhole.tilt"'],
    [{ 'manhole.open': { on: 1 } }, 'override of rule "manhole.open": on does not apply to a flag rule'],
    [{ 'manhole.tilt': { off: 9 } }, 'rule "manhole.tilt": off (9) must be at or below on (5)'],
    [{ 'manhole.tilt': { on: 20 } }, 'rule "manhole.tilt": critical.on (15) must be beyond on (20)'],
    [[1, 2], 'rule overrides must be an object keyed by rule id'],
  ])('refuses %j naming the rule', (overrides, message) => {
    expect(() => applyOverrides(DEFAULT_RULES.manhole, overrides)).toThrow(RuleError);
    expect(() => applyOverrides(DEFAULT_RULES.manhole, overrides)).toThrow(message);
  });
});

describe('parseRules', () => {
  it('accepts every family default and survives JSON (they are stored as jsonb)', () => {
    for (const family of SENSOR_FAMILY_CODES) {
      const json = JSON.parse(JSON.stringify(DEFAULT_RULES[family])) as unknown;
      expect(parseRules(json, family)).toEqual(DEFAULT_RULES[family]);
    }
  });

  it.each([
    ['not an array', {}, 'rules must be a JSON array'],
    ['unknown kind', [{ id: 'drain.x', kind: 'magic', field: 'level_cm' }], 'rule "drain.x"'],
    ['typo in a key', [{ ...tilt, id: 'drain.x', field: 'level_cm', foSeconds: 5 }], 'rule "drain.x"'],
    [
      'unknown field',
      [{ ...tilt, id: 'drain.x', field: 'depth' }],
      'field "depth" is not a drain reading field',
    ],
    [
      'flag on a number',
      [{ id: 'drain.x', kind: 'flag', field: 'level_cm', severity: 1 }],
      'field "level_cm" is a number, a flag rule needs a boolean',
    ],
    [
      'wrong family prefix',
      [{ ...tilt, field: 'level_cm' }],
      'rule "manhole.tilt": id must start with "drain."',
    ],
    [
      'duplicate id',
      [DEFAULT_RULES.drain[0], DEFAULT_RULES.drain[0]],
      'rule "drain.level_high" is defined twice',
    ],
  ])('refuses %s', (_name, json, message) => {
    expect(() => parseRules(json, 'drain')).toThrow(message);
  });
});

describe('default rules', () => {
  it('agree with the simulator: healthy readings are normal, faults raise the state they were made for', () => {
    const rnd = createRandom('rules-defaults');
    for (const family of SENSOR_FAMILY_CODES) {
      for (let i = 0; i < 200; i++) {
        const ctx = { night: i % 2 === 0 };
        const ok = normalReading(family, rnd, ctx);
        expect(evaluate(DEFAULT_RULES[family], null, { ...ok }, at(0), at(0)).state).toBe(0);
        const severity = ((i % 2) + 1) as 1 | 2;
        const bad = faultReading(family, severity, rnd, ctx);
        const e = evaluate(DEFAULT_RULES[family], null, { ...bad }, at(0), at(0));
        const expected = classifyReading(family, bad);
        // Low battery is maintenance here rather than a warning, and low pressure waits out its 5 minutes.
        if (
          e.maintenance ||
          (family === 'hydrant' && (bad as { pressure_mpa: number }).pressure_mpa < 0.14)
        ) {
          continue;
        }
        expect([family, e.state]).toEqual([family, expected]);
      }
    }
  });

  it('have readable descriptions', () => {
    expect(describeRule(DEFAULT_RULES.hydrant[0])).toBe(
      'pressure_mpa ≤ 0.14 for 300 s (clears ≥ 0.16); critical ≤ 0.1 (until ≥ 0.12)',
    );
    expect(describeRule(DEFAULT_RULES.elevator[2])).toBe('fault_code ≠ 0');
  });
});

describe('offlineSince', () => {
  it('is null within the heartbeat and the expiry instant after it', () => {
    expect(offlineSince(at(0), at(3600), 3600)).toBeNull();
    expect(offlineSince(at(0), at(3601), 3600)).toEqual(at(3600));
    expect(offlineSince(null, at(5), 3600)).toEqual(at(5));
  });
});

describe('idle rule memory (stored as null)', () => {
  it('is idle when no rule holds or waits, and not while one does', () => {
    const calm = evaluate([tilt, lowPressure], null, { tilt_deg: 1, pressure_mpa: 0.3 }, at(0), at(0));
    expect(idleMemory(calm.memory)).toBe(true);
    expect(idleMemory(null)).toBe(true);
    const tilted = evaluate([tilt], calm.memory, { tilt_deg: 9 }, at(1), at(1));
    expect(idleMemory(tilted.memory)).toBe(false);
    const waiting = evaluate([lowPressure], null, { pressure_mpa: 0.1 }, at(2), at(2)); // not yet 5 min
    expect(waiting.state).toBe(0);
    expect(idleMemory(waiting.memory)).toBe(false);
    expect(idleMemory({ rules: {}, lastTs: 1, other: true })).toBe(false);
    expect(idleMemory({ rules: 'nonsense' })).toBe(false);
  });

  it('evaluates the same from null as from the idle memory it replaces', () => {
    const calm = evaluate([tilt], null, { tilt_deg: 1 }, at(0), at(0));
    const next = (m: RuleMemory | null) => evaluate([tilt], m, { tilt_deg: 9 }, at(60), at(60));
    expect(next(null)).toEqual(next(calm.memory));
  });
});
