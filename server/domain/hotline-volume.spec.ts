import { describe, expect, it } from 'vitest';
import { hotlineVolume, shanghaiMidnight, type HourCount } from './hotline-volume';

// 2026-03-11 14:30 in Shanghai.
const now = new Date('2026-03-11T06:30:00Z');
const longAgo = new Date('2025-01-01T00:00:00Z');

describe('shanghaiMidnight', () => {
  it('is 16:00 UTC of the day before', () => {
    expect(shanghaiMidnight(now).toISOString()).toBe('2026-03-10T16:00:00.000Z');
    expect(shanghaiMidnight(new Date('2026-03-10T16:00:00Z')).toISOString()).toBe('2026-03-10T16:00:00.000Z');
    expect(shanghaiMidnight(new Date('2026-03-10T15:59:59Z')).toISOString()).toBe('2026-03-09T16:00:00.000Z');
  });
});

describe('hotlineVolume', () => {
  it('compares the calls so far with the same weekday of the four weeks before', () => {
    const counts: HourCount[] = [
      { day: 0, hour: 9, calls: 30 },
      { day: 0, hour: 14, calls: 10 },
      // Baseline: 20 calls at 09:00 every week, 8 at 14:00, 100 at 20:00 (not yet reached today).
      ...[7, 14, 21, 28].flatMap((day) => [
        { day, hour: 9, calls: 20 },
        { day, hour: 14, calls: 8 },
        { day, hour: 20, calls: 100 },
      ]),
      // Other weekdays do not count.
      { day: 1, hour: 9, calls: 500 },
    ];
    const v = hotlineVolume(counts, now, longAgo);
    expect(v.today).toBe(40);
    expect(v.baselineDays).toBe(4);
    // 20 by 09:00 plus half of 14:00's 8.
    expect(v.normalSoFar).toBeCloseTo(24);
    expect(v.normalDay).toBeCloseTo(128);
    expect(v.change).toBeCloseTo(40 / 24 - 1);
    expect(v.hours[20]).toEqual({ hour: 20, today: null, normal: 100 });
    expect(v.hours[9]).toEqual({ hour: 9, today: 30, normal: 20 });
  });

  it('leaves normal unknown before the service has a week of history', () => {
    const v = hotlineVolume([{ day: 0, hour: 10, calls: 3 }], now, new Date('2026-03-08T00:00:00Z'));
    expect(v).toMatchObject({ today: 3, normalSoFar: null, normalDay: null, change: null, baselineDays: 0 });
    expect(v.hours[10].normal).toBeNull();
  });

  it('counts only the baseline days that existed for the system', () => {
    const firstCall = new Date('2026-02-20T00:00:00Z'); // before day 14, after day 21
    const v = hotlineVolume([{ day: 7, hour: 1, calls: 6 }], now, firstCall);
    expect(v.baselineDays).toBe(2);
    expect(v.hours[1].normal).toBe(3);
  });

  it('has no change figure when normal is zero', () => {
    const v = hotlineVolume([{ day: 0, hour: 1, calls: 2 }], now, longAgo);
    expect(v.normalSoFar).toBe(0);
    expect(v.change).toBeNull();
  });
});
