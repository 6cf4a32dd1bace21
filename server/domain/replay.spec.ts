import { describe, expect, it } from 'vitest';
import { replayCase } from './case-history';
import { countSensors, deadlineAt, transitionsOfAlarms } from './replay';
import { defaultCalendar } from './work-calendar';

/** A case before its first event. */
const blank = replayCase([]);

describe('countSensors', () => {
  it('counts sensors not listed as normal, per family and overall; unregistered ones not at all', () => {
    const totals = [
      { family: 'manhole', sensors: 3 },
      { family: 'elevator', sensors: 1 },
    ];
    const families = new Map([
      [2, 'manhole'],
      [5, 'elevator'],
    ]);
    const c = countSensors(totals, { ids: [2, 5, 7], states: [2, 3, 1] }, families);
    expect(c.byState).toEqual([2, 0, 1, 1]);
    expect(c.byFamily).toEqual({ manhole: [2, 0, 1, 0], elevator: [0, 0, 0, 1] });
  });
});

describe('deadlineAt', () => {
  const cal = defaultCalendar();
  // Monday 2026-11-02, working hours 09:00–12:00 and 13:00–18:00 in Shanghai.
  const at = (s: string) => new Date(`2026-11-02T${s}:00+08:00`);
  it('runs the signing clock while dispatched and the resolution clock once signed', () => {
    const dispatched = { ...blank, state: 'dispatched' as const, signDueAt: at('11:00').toISOString() };
    expect(deadlineAt(dispatched, at('10:59'), cal)).toBe('on_track');
    expect(deadlineAt(dispatched, at('11:01'), cal)).toBe('overdue');
    const signed = { ...blank, state: 'signed' as const, allowedHours: 8, dueAt: at('17:00').toISOString() };
    expect(deadlineAt(signed, at('09:00'), cal)).toBe('on_track');
    expect(deadlineAt(signed, at('15:30'), cal)).toBe('due_soon');
    expect(deadlineAt(signed, at('17:01'), cal)).toBe('overdue');
  });
  it('has no clock before dispatch or after resolution', () => {
    expect(deadlineAt({ ...blank, state: 'received' }, at('10:00'), cal)).toBeNull();
    expect(
      deadlineAt({ ...blank, state: 'resolved', dueAt: at('09:30').toISOString() }, at('10:00'), cal),
    ).toBeNull();
  });
});

describe('transitionsOfAlarms', () => {
  const t = (h: number) => new Date(Date.UTC(2026, 10, 1, h));
  it('follows the worst open alarm of each sensor and starts from the state at `from`', () => {
    const tr = transitionsOfAlarms(
      [
        // Sensor 1: warning 2–6, critical 3–4 overlapping it.
        { sensorId: 1, severity: 1, openedAt: t(2), clearedAt: t(6) },
        { sensorId: 1, severity: 2, openedAt: t(3), clearedAt: t(4) },
        // Sensor 2: in alarm since before `from`, cleared at 5; then one back to back at 7 and 7–9.
        { sensorId: 2, severity: 2, openedAt: t(0), clearedAt: t(5) },
        { sensorId: 2, severity: 2, openedAt: t(6), clearedAt: t(7) },
        { sensorId: 2, severity: 2, openedAt: t(7), clearedAt: t(9) },
        // Sensor 3: over before `from`: nothing.
        { sensorId: 3, severity: 2, openedAt: t(0), clearedAt: t(0.5) },
      ],
      t(1),
    );
    expect(tr.map((x) => [x.sensorId, x.at.getUTCHours(), x.state])).toEqual([
      [2, 1, 2],
      [1, 2, 1],
      [1, 3, 2],
      [1, 4, 1],
      [2, 5, 0],
      [1, 6, 0],
      [2, 6, 2],
      [2, 9, 0],
    ]);
  });
});
