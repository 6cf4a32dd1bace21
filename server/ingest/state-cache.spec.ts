import { describe, expect, it } from 'vitest';
import type { CurrentState } from '../db/repositories/ingest.repository';
import { StateCache } from './state-cache';

const at = Date.UTC(2026, 10, 27, 8, 0, 0);
const state = (over: Partial<CurrentState> = {}): CurrentState => ({
  sensorId: 7,
  state: 1,
  reportedAt: new Date(at),
  ruleState: { lastTs: at, rules: {} },
  version: '4242',
  ...over,
});

describe('ingest state cache', () => {
  it('gives back what it was told, idle rule memory as null', () => {
    const c = new StateCache();
    const shapes: CurrentState[] = [
      state({ sensorId: 1 }),
      state({ sensorId: 2, ruleState: null, reportedAt: null, state: 0 }),
      state({
        sensorId: 3,
        ruleState: { lastTs: at, rules: { 'manhole.tilt': { active: true, since: at } } },
      }),
      state({ sensorId: 4, ruleState: { lastTs: at - 5, rules: {} } }), // lastTs not the reported time
      state({ sensorId: 5, ruleState: { lastTs: at, rules: {}, extra: 1 } }),
      state({ sensorId: 6, state: 3, version: '4294967295' }),
    ];
    for (const s of shapes) c.set(s);
    const idle = new Set([1, 2, 4, 6]); // nothing remembered but the time of the last reading
    for (const s of shapes) {
      expect(c.get(s.sensorId)).toEqual({ ...s, ruleState: idle.has(s.sensorId) ? null : s.ruleState });
    }
    expect(c.size).toBe(shapes.length);
    expect(c.get(99)).toBeUndefined();
  });

  it('grows to large sensor ids and refuses ids beyond its range', () => {
    const c = new StateCache();
    c.set(state({ sensorId: 3_000_000 }));
    expect(c.get(3_000_000)?.version).toBe('4242');
    c.set(state({ sensorId: 50_000_000 }));
    expect(c.get(50_000_000)).toBeUndefined();
    expect(c.size).toBe(1);
  });

  it('forgets an entry whose version is not a transaction id, and on request', () => {
    const c = new StateCache();
    c.set(state());
    c.set(state({ version: 'not-an-xid' }));
    expect(c.get(7)).toBeUndefined();
    c.set(state());
    c.forget(7);
    c.forget(7);
    expect(c.get(7)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('keeps a newer entry when warming up', () => {
    const c = new StateCache();
    c.set(state({ version: '900', state: 2 }));
    c.warm(7, 0, at, 100, null);
    expect(c.get(7)).toMatchObject({ version: '900', state: 2 });
    const memory = { lastTs: at, rules: { 'drain.level': { active: true, since: at } } };
    c.warm(8, 1, at, 100, memory);
    c.warm(9, 3, NaN, 101, null);
    expect(c.get(8)).toEqual({
      sensorId: 8,
      state: 1,
      reportedAt: new Date(at),
      ruleState: memory,
      version: '100',
    });
    expect(c.get(9)).toEqual({ sensorId: 9, state: 3, reportedAt: null, ruleState: null, version: '101' });
  });
});
