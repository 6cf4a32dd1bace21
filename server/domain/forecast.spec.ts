import { describe, expect, it } from 'vitest';
import {
  fitHoltWinters,
  forecastDaily,
  forecastError,
  holtWinters,
  holtWintersForecast,
  seasonalNaive,
  weeklyForecast,
  weeklySums,
} from './forecast';
import { createRandom } from './random';

/** Calls per day of a street: a weekday pattern (quiet weekends), a slow rise and seeded noise. */
function constructedSeries(days: number, seed: string): number[] {
  const pattern = [6, 4, 3, 3, 5, -8, -13];
  const rnd = createRandom(seed);
  return Array.from({ length: days }, (_, t) =>
    Math.max(0, Math.round(30 + 0.15 * t + pattern[t % 7] + rnd.normal(0, 2.5))),
  );
}

describe('forecastDaily on held-out weeks', () => {
  const heldOutWeeks = 4;
  const cases = ['street-a', 'street-b', 'street-c'].map((seed) => {
    const series = constructedSeries(16 * 7, seed);
    const train = series.slice(0, -heldOutWeeks * 7);
    const test = series.slice(-heldOutWeeks * 7);
    const hw = forecastDaily(train, test.length);
    const naive = seasonalNaive(train, test.length);
    return { seed, test, hw, naive };
  });

  it('beats seasonal naive and stays within 10 % MAPE', () => {
    for (const { seed, test, hw, naive } of cases) {
      const hwErr = forecastError(test, hw.mean);
      const naiveErr = forecastError(test, naive);
      const weeklyHw = forecastError(
        weeklySums(test),
        weeklyForecast(hw).map((w) => w.mean),
      );
      console.log(
        `[forecast] ${seed}: ${heldOutWeeks} held-out weeks — daily Holt-Winters MAE ${hwErr.mae.toFixed(2)} ` +
          `MAPE ${(hwErr.mape * 100).toFixed(1)} %, seasonal naive MAE ${naiveErr.mae.toFixed(2)} ` +
          `MAPE ${(naiveErr.mape * 100).toFixed(1)} %; weekly totals MAE ${weeklyHw.mae.toFixed(1)} ` +
          `MAPE ${(weeklyHw.mape * 100).toFixed(1)} %`,
      );
      expect(hw.method).toBe('holt-winters');
      expect(hwErr.mae).toBeLessThan(naiveErr.mae);
      expect(hwErr.mape).toBeLessThan(0.1);
      expect(weeklyHw.mape).toBeLessThan(0.08);
    }
  });

  it('puts most held-out days inside the 80 % band', () => {
    let inside = 0;
    let total = 0;
    for (const { test, hw } of cases) {
      test.forEach((y, i) => {
        total++;
        if (y >= hw.lower[i] && y <= hw.upper[i]) inside++;
      });
    }
    console.log(`[forecast] 80 % band covers ${((inside / total) * 100).toFixed(0)} % of held-out days`);
    expect(inside / total).toBeGreaterThan(0.65);
  });
});

describe('holtWinters', () => {
  it('reproduces a pure weekly pattern exactly with no trend', () => {
    const pattern = [10, 12, 11, 9, 14, 3, 2];
    const series = Array.from({ length: 28 }, (_, t) => pattern[t % 7]);
    const fit = holtWinters(series, { alpha: 0.3, beta: 0, gamma: 0.2, phi: 0 });
    expect(fit.sse).toBeCloseTo(0, 9);
    expect(holtWintersForecast(fit, 9).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([
      10, 12, 11, 9, 14, 3, 2, 10, 12,
    ]);
  });

  it('follows a linear trend with the undamped model', () => {
    const series = Array.from({ length: 42 }, (_, t) => 20 + t);
    const fit = fitHoltWinters(series);
    expect(fit.sse).toBeLessThan(1e-6);
    expect(holtWintersForecast(fit, 3).map((v) => Math.round(v))).toEqual([62, 63, 64]);
  });

  it('refuses fewer than two seasons', () => {
    expect(() => holtWinters([1, 2, 3], { alpha: 0.5, beta: 0, gamma: 0.1, phi: 0 })).toThrow(/14/);
  });
});

describe('forecastDaily edge cases', () => {
  it('forecasts zeros with a zero band for an all-zero series', () => {
    const f = forecastDaily(new Array(56).fill(0), 7);
    expect(f.mean).toEqual(new Array(7).fill(0));
    expect(f.lower).toEqual(new Array(7).fill(0));
    expect(f.upper).toEqual(new Array(7).fill(0));
  });

  it('falls back to seasonal naive with one to two weeks of history', () => {
    const series = [5, 6, 7, 8, 9, 1, 2, 6, 6, 7, 8, 9, 1];
    const f = forecastDaily(series, 8);
    expect(f.method).toBe('seasonal-naive');
    expect(f.mean).toEqual([2, 6, 6, 7, 8, 9, 1, 2]);
    // Week-on-week changes 1, 0, 0, 0, 0, 0: rms √(1/6); the second week ahead is √2 wider.
    expect(f.sd[0]).toBeCloseTo(Math.sqrt(1 / 6), 9);
    expect(f.sd[7]).toBeCloseTo(Math.sqrt(2 / 6), 9);
  });

  it('uses the mean for less than a week', () => {
    const f = forecastDaily([4, 2, 6], 3);
    expect(f.method).toBe('mean');
    expect(f.mean).toEqual([4, 4, 4]);
    expect(f.lower[0]).toBeCloseTo(4 - 1.2816 * 2, 6);
  });

  it('never forecasts negative counts', () => {
    const falling = Array.from({ length: 28 }, (_, t) => Math.max(0, 30 - 1.2 * t));
    const f = forecastDaily(falling, 21);
    for (const v of [...f.mean, ...f.lower]) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('handles an empty series and a zero horizon', () => {
    expect(forecastDaily([], 2).mean).toEqual([0, 0]);
    expect(forecastDaily([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], 0).mean).toEqual([]);
    expect(() => forecastDaily([1], -1)).toThrow(/horizon/);
  });
});

describe('weekly aggregation', () => {
  it('sums 7-day blocks ending on the last day and drops a partial first block', () => {
    const daily = [100, ...Array.from({ length: 14 }, (_, i) => i + 1)];
    expect(weeklySums(daily)).toEqual([28, 77]);
  });

  it('sums a daily forecast into weeks with variances added', () => {
    const f = {
      mean: new Array(14).fill(2),
      lower: [],
      upper: [],
      sd: new Array(14).fill(1),
      method: 'holt-winters' as const,
    };
    const [w1, w2] = weeklyForecast(f);
    expect(w1.mean).toBe(14);
    expect(w1.upper).toBeCloseTo(14 + 1.2816 * Math.sqrt(7), 6);
    expect(w2.lower).toBeCloseTo(14 - 1.2816 * Math.sqrt(7), 6);
  });
});
