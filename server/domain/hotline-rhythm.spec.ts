import { describe, expect, it } from 'vitest';
import { expectedCallsPerHour, shanghaiClock } from './hotline-rhythm';

describe('hotline rhythm', () => {
  it('adds up to the daily mean over a week', () => {
    const start = Date.UTC(2026, 10, 1, -8); // Sunday 1 November 2026, 00:00 Shanghai
    let total = 0;
    for (let h = 0; h < 24 * 7; h++) total += expectedCallsPerHour(new Date(start + h * 3_600_000), 300);
    expect(total / 7).toBeCloseTo(300, 6);
  });

  it('is busier at ten in the morning than at three at night, and on Monday than on Sunday', () => {
    const at = (d: number, h: number) => new Date(Date.UTC(2026, 10, d, h - 8));
    expect(expectedCallsPerHour(at(2, 10), 300)).toBeGreaterThan(10 * expectedCallsPerHour(at(2, 3), 300));
    expect(expectedCallsPerHour(at(2, 10), 300)).toBeGreaterThan(expectedCallsPerHour(at(1, 10), 300));
    expect(shanghaiClock(at(2, 10))).toEqual({ hour: 10, weekday: 1 });
  });
});
