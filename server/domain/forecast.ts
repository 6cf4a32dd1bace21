// Short-term demand forecasts from daily counts with weekly seasonality: additive Holt-Winters (level,
// optionally damped trend, 7-day season) fitted by grid search on one-step error, and the seasonal-naive
// baseline it has to beat. Pure; the allocation planner turns the daily forecasts into weekly demand.

/** Days in a season: demand follows the week (weekday offices, weekend markets). */
export const SEASON = 7;
/** Two-sided 80 % normal quantile. */
const Z80 = 1.2816;

/** A forecast for the days after the series. */
export interface Forecast {
  /** Expected count per day ahead, never negative. */
  mean: number[];
  /** Lower end of the 80 % band per day, never negative. */
  lower: number[];
  /** Upper end of the 80 % band per day. */
  upper: number[];
  /** Standard deviation of the error per day ahead (widens with the horizon). */
  sd: number[];
  /** Which method produced it: too short a series falls back to simpler ones. */
  method: 'holt-winters' | 'seasonal-naive' | 'mean';
}

/** Smoothing parameters of additive Holt-Winters. */
export interface HoltWintersParams {
  /** Level smoothing, 0–1. */
  alpha: number;
  /** Trend smoothing, 0–1; 0 with `phi` 0 means no trend. */
  beta: number;
  /** Seasonal smoothing, 0–1. */
  gamma: number;
  /** Trend damping, 0–1 (1: undamped, 0: no trend). */
  phi: number;
}

/** A fitted model: its parameters, one-step errors and the state after the last observation. */
export interface HoltWintersFit {
  params: HoltWintersParams;
  /** Sum of squared one-step errors over the fitted part (after the first season). */
  sse: number;
  /** One-step errors, one per observation after the first season. */
  residuals: number[];
  level: number;
  trend: number;
  /** The last SEASON seasonal terms, oldest first: seasonal[i] applies to day n + i (mod SEASON). */
  seasonal: number[];
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7];
const GAMMAS = [0.05, 0.1, 0.2, 0.3, 0.5];
/** [beta, phi] pairs: no trend, then damped and undamped trends. */
const TRENDS: [number, number][] = [
  [0, 0],
  [0.01, 0.9],
  [0.05, 0.9],
  [0.01, 0.98],
  [0.05, 0.98],
  [0.1, 0.98],
  [0.01, 1],
  [0.05, 1],
];

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * Runs additive Holt-Winters over `series` (at least two seasons). Initial level and trend come from the
 * first two seasons' means, the initial seasonal terms from the first season's deviations from that line.
 */
export function holtWinters(series: readonly number[], params: HoltWintersParams): HoltWintersFit {
  const m = SEASON;
  if (series.length < 2 * m)
    throw new Error(`holtWinters needs at least ${2 * m} values, got ${series.length}`);
  const { alpha, beta, gamma, phi } = params;
  const first = mean(series.slice(0, m));
  let trend = phi > 0 ? (mean(series.slice(m, 2 * m)) - first) / m : 0;
  // The first season's mean sits at its middle day; the level at its last day is further along the trend.
  let level = first + (trend * (m - 1)) / 2;
  const seasonal = series.slice(0, m).map((y, i) => y - (first + trend * (i - (m - 1) / 2)));
  const residuals: number[] = [];
  let sse = 0;
  for (let t = m; t < series.length; t++) {
    const s = seasonal[t - m];
    const predicted = level + phi * trend + s;
    const e = series[t] - predicted;
    residuals.push(e);
    sse += e * e;
    const prevLevel = level;
    level = alpha * (series[t] - s) + (1 - alpha) * (prevLevel + phi * trend);
    trend = beta * (level - prevLevel) + (1 - beta) * phi * trend;
    seasonal.push(gamma * (series[t] - level) + (1 - gamma) * s);
  }
  return { params, sse, residuals, level, trend, seasonal: seasonal.slice(-m) };
}

/** Holt-Winters with the grid parameters that minimise the one-step SSE. */
export function fitHoltWinters(series: readonly number[]): HoltWintersFit {
  let best: HoltWintersFit | null = null;
  for (const alpha of ALPHAS)
    for (const gamma of GAMMAS)
      for (const [beta, phi] of TRENDS) {
        const fit = holtWinters(series, { alpha, beta, gamma, phi });
        if (!best || fit.sse < best.sse) best = fit;
      }
  return best!;
}

/** The point forecast of a fitted model for 1…horizon days ahead. */
export function holtWintersForecast(fit: HoltWintersFit, horizon: number): number[] {
  const { phi } = fit.params;
  const out: number[] = [];
  let damp = 0;
  for (let h = 1; h <= horizon; h++) {
    damp += phi ** h;
    out.push(fit.level + damp * fit.trend + fit.seasonal[(h - 1) % SEASON]);
  }
  return out;
}

/** Seasonal naive: every day ahead repeats the same weekday of the last observed week. */
export function seasonalNaive(series: readonly number[], horizon: number): number[] {
  const n = series.length;
  if (n < SEASON) throw new Error(`seasonalNaive needs at least ${SEASON} values, got ${n}`);
  return Array.from({ length: horizon }, (_, i) => series[n - SEASON + (i % SEASON)]);
}

function band(points: number[], sd: number[], method: Forecast['method']): Forecast {
  const clamp = (v: number) => Math.max(0, v);
  return {
    mean: points.map(clamp),
    lower: points.map((p, i) => clamp(p - Z80 * sd[i])),
    upper: points.map((p, i) => clamp(p + Z80 * sd[i])),
    sd,
    method,
  };
}

const rms = (xs: readonly number[]) => Math.sqrt(mean(xs.map((x) => x * x)));

/**
 * Forecasts `horizon` days after a daily count series. Two seasons or more: Holt-Winters, with an 80 %
 * band from the one-step residual sd, widened with the horizon as for simple exponential smoothing
 * (sd·√(1 + (h−1)α²)), which ignores trend and seasonal updates and so is a little narrow far out.
 * One season: seasonal naive with the sd of week-on-week changes. Shorter: the series mean.
 */
export function forecastDaily(series: readonly number[], horizon: number): Forecast {
  if (!Number.isInteger(horizon) || horizon < 0)
    throw new Error(`horizon must be a whole number >= 0, got ${horizon}`);
  const n = series.length;
  if (n >= 2 * SEASON) {
    const fit = fitHoltWinters(series);
    const sd1 = rms(fit.residuals);
    const a2 = fit.params.alpha ** 2;
    const sd = Array.from({ length: horizon }, (_, i) => sd1 * Math.sqrt(1 + i * a2));
    return band(holtWintersForecast(fit, horizon), sd, 'holt-winters');
  }
  if (n >= SEASON) {
    const diffs = series.slice(SEASON).map((y, i) => y - series[i]);
    const sd1 = diffs.length ? rms(diffs) : Math.sqrt(mean(series));
    const sd = Array.from({ length: horizon }, (_, i) => sd1 * Math.sqrt(1 + Math.floor(i / SEASON)));
    return band(seasonalNaive(series, horizon), sd, 'seasonal-naive');
  }
  // Too little history for a weekly pattern: the mean, with a Poisson-like spread.
  const m = mean(series);
  return band(
    Array.from({ length: horizon }, () => m),
    Array.from({ length: horizon }, () => Math.sqrt(m)),
    'mean',
  );
}

/**
 * Sums consecutive 7-day blocks counted back from the end of the series (the last block ends on the last
 * day); a partial block at the start is dropped.
 */
export function weeklySums(daily: readonly number[]): number[] {
  const weeks = Math.floor(daily.length / SEASON);
  const start = daily.length - weeks * SEASON;
  return Array.from({ length: weeks }, (_, w) =>
    daily.slice(start + w * SEASON, start + (w + 1) * SEASON).reduce((a, b) => a + b, 0),
  );
}

/** A forecast for one 7-day block ahead. */
export interface WeeklyForecast {
  /** Expected count in the week. */
  mean: number;
  /** Lower end of the 80 % band. */
  lower: number;
  /** Upper end of the 80 % band. */
  upper: number;
}

/**
 * Sums a daily forecast into 7-day blocks starting the day after the series. The band treats daily
 * errors as independent (variances add), which understates it when errors persist for days.
 */
export function weeklyForecast(forecast: Forecast): WeeklyForecast[] {
  const weeks = Math.floor(forecast.mean.length / SEASON);
  return Array.from({ length: weeks }, (_, w) => {
    const days = Array.from({ length: SEASON }, (_, d) => w * SEASON + d);
    const m = days.reduce((a, d) => a + forecast.mean[d], 0);
    const sd = Math.sqrt(days.reduce((a, d) => a + forecast.sd[d] ** 2, 0));
    return { mean: m, lower: Math.max(0, m - Z80 * sd), upper: m + Z80 * sd };
  });
}

/** Mean absolute error and mean absolute percentage error (over non-zero actuals) of a forecast. */
export function forecastError(
  actual: readonly number[],
  predicted: readonly number[],
): { mae: number; mape: number } {
  if (actual.length !== predicted.length) throw new Error('actual and predicted differ in length');
  const abs = actual.map((a, i) => Math.abs(a - predicted[i]));
  const pct = actual.flatMap((a, i) => (a === 0 ? [] : [abs[i] / Math.abs(a)]));
  return { mae: mean(abs), mape: mean(pct) };
}
