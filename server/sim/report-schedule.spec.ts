import { describe, expect, it } from 'vitest';
import { SENSOR_FAMILIES } from '../domain/city-facts';
import { createRandom } from '../domain/random';
import {
  catchUpWindowMs,
  coverageRate,
  heartbeatQuota,
  MIN_CATCH_UP_MS,
  plannedRate,
  reportIntervalMs,
  ReportSchedule,
  type FamilyLoad,
  type ReportCadence,
} from './report-schedule';

/** The demo city's mix: each family's share of `total` sensors. */
function demoLoads(total: number): FamilyLoad[] {
  return SENSOR_FAMILIES.map((f) => ({
    count: Math.round((total * f.sharePct) / 100),
    heartbeatSeconds: f.heartbeatSeconds,
    reportIntervalSeconds: f.reportIntervalSeconds,
  }));
}

/** One cadence object per family and one slot per sensor, as the simulator builds them. */
function demoSlots(total: number): ReportCadence[] {
  const slots: ReportCadence[] = [];
  for (const f of demoLoads(total)) {
    const cadence = { heartbeatSeconds: f.heartbeatSeconds, reportIntervalSeconds: f.reportIntervalSeconds };
    for (let k = 0; k < f.count; k++) slots.push(cadence);
  }
  return slots;
}

/**
 * Runs the schedule tick by tick as the simulator does (no faults). Returns per slot its first report and
 * the longest time without a report counted from `lastReport` (gap) and from its first report on.
 */
function run(slots: ReportCadence[], lastReport: number, t0: number, seconds: number, tickMs = 1000) {
  const n = slots.length;
  const schedule = new ReportSchedule(slots, new Float64Array(n).fill(lastReport), t0, createRandom('s'));
  const last = new Float64Array(n).fill(lastReport);
  const first = new Float64Array(n).fill(NaN);
  const gap = new Float64Array(n);
  const gapAfterFirst = new Float64Array(n);
  let largestTick = 0;
  let largestQuota = 0;
  const end = t0 + seconds * 1000;
  for (let t = t0 + tickMs; t <= end; t += tickMs) {
    const quota = schedule.quota(t, tickMs);
    const due = schedule.due(t, quota, () => false);
    largestTick = Math.max(largestTick, due.length);
    largestQuota = Math.max(largestQuota, quota);
    for (const i of due) {
      gap[i] = Math.max(gap[i], t - last[i]);
      if (Number.isNaN(first[i])) first[i] = t;
      else gapAfterFirst[i] = Math.max(gapAfterFirst[i], t - last[i]);
      last[i] = t;
    }
  }
  for (let i = 0; i < n; i++) {
    gap[i] = Math.max(gap[i], end - last[i]);
    if (!Number.isNaN(first[i])) gapAfterFirst[i] = Math.max(gapAfterFirst[i], end - last[i]);
  }
  return { gap, first, gapAfterFirst, largestTick, largestQuota, schedule };
}

describe('report quota', () => {
  it('plans the demo city of 20,000 sensors at about 20 reports a second, 42 per 1 s tick', () => {
    const loads = demoLoads(20_000);
    expect(coverageRate(loads)).toBeCloseTo(6.08, 1);
    expect(plannedRate(loads)).toBeCloseTo(20.56, 1);
    expect(heartbeatQuota(loads, 1000)).toBe(42);
    // Longer ticks (a slow database) get a proportionally larger budget, never a flood.
    expect(heartbeatQuota(loads, 10_000)).toBe(412);
  });

  it('scales to 500,000 sensors at about a thousand reports per 1 s tick', () => {
    expect(heartbeatQuota(demoLoads(500_000), 1000)).toBe(1028);
  });

  it('always leaves room for at least two reports per heartbeat window', () => {
    for (const total of [100, 20_000, 500_000]) {
      const loads = demoLoads(total);
      expect(plannedRate(loads)).toBeGreaterThanOrEqual(2 * coverageRate(loads));
    }
    // A family configured to report less often than its heartbeat still reports twice per window.
    const slow = { count: 3600, heartbeatSeconds: 600, reportIntervalSeconds: 3600 };
    expect(reportIntervalMs(slow)).toBe(300_000);
    expect(plannedRate([slow])).toBe(12);
  });

  it('catches up over at least a minute, longer for a large overdue fleet', () => {
    expect(catchUpWindowMs(0)).toBe(MIN_CATCH_UP_MS);
    expect(catchUpWindowMs(5000)).toBe(MIN_CATCH_UP_MS);
    expect(catchUpWindowMs(20_000)).toBe(100_000);
    expect(catchUpWindowMs(500_000)).toBe(2_500_000);
  });
});

describe('ReportSchedule', () => {
  const t0 = Date.UTC(2025, 2, 1, 8);

  it('keeps every one of 20,000 freshly reported devices within its heartbeat for an hour', () => {
    const slots = demoSlots(20_000);
    const { gap, largestTick, largestQuota } = run(slots, t0, t0, 3600);
    for (let i = 0; i < slots.length; i++) {
      if (gap[i] >= slots[i].heartbeatSeconds * 1000) {
        throw new Error(`slot ${i} was silent ${gap[i]} ms, heartbeat ${slots[i].heartbeatSeconds} s`);
      }
    }
    expect(largestQuota).toBe(42);
    expect(largestTick).toBeLessThanOrEqual(42);
  });

  it('catches up with a fleet that was silent for three hours within the window, a few hundred per tick', () => {
    const slots = demoSlots(20_000);
    const { first, gapAfterFirst, largestTick, schedule } = run(slots, t0 - 3 * 3_600_000, t0, 3600);
    expect(schedule.overdue).toBe(slots.length);
    expect(largestTick).toBeLessThanOrEqual(300);
    // Everyone reported within the catch-up window (100 s for 20,000 devices) plus a tick...
    expect(Math.max(...first)).toBeLessThanOrEqual(t0 + catchUpWindowMs(slots.length) + 1000);
    // ...and from then on never went a heartbeat without a report.
    for (let i = 0; i < slots.length; i++) {
      expect(gapAfterFirst[i]).toBeLessThan(slots[i].heartbeatSeconds * 1000);
    }
  });

  it('gives every due device its turn when the quota is short', () => {
    const cadence = { heartbeatSeconds: 900, reportIntervalSeconds: 300 };
    const slots = Array.from({ length: 10 }, () => cadence);
    const schedule = new ReportSchedule(slots, new Float64Array(10).fill(NaN), t0, createRandom('x'));
    const seen: number[] = [];
    for (let k = 1; k <= 4; k++) seen.push(...schedule.due(t0 + 60_000 + k, 3, () => false));
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('leaves skipped devices due until they are no longer skipped', () => {
    const cadence = { heartbeatSeconds: 900, reportIntervalSeconds: 300 };
    const schedule = new ReportSchedule([cadence, cadence], [NaN, NaN], t0, createRandom('y'));
    const t = t0 + 61_000;
    expect(schedule.due(t, 10, (i) => i === 1)).toEqual([0]);
    expect(schedule.due(t + 1000, 10, () => false)).toEqual([1]);
    expect(schedule.nextAt(1)).toBeGreaterThanOrEqual(t + 1000 + 270_000);
    expect(schedule.nextAt(1)).toBeLessThanOrEqual(t + 1000 + 330_000);
  });

  it('schedules the next report one interval (± 10 %) after a report', () => {
    const cadence = { heartbeatSeconds: 7200, reportIntervalSeconds: 1800 };
    const schedule = new ReportSchedule([cadence], [t0], t0, createRandom('z'));
    expect(schedule.nextAt(0)).toBeGreaterThanOrEqual(t0 + 900_000);
    expect(schedule.nextAt(0)).toBeLessThanOrEqual(t0 + 1_800_000);
    schedule.reported(0, t0 + 5000);
    expect(schedule.nextAt(0)).toBeGreaterThanOrEqual(t0 + 5000 + 1_620_000);
    expect(schedule.nextAt(0)).toBeLessThanOrEqual(t0 + 5000 + 1_980_000);
  });
});
