// The rhythm of a district's 12345 line: how many calls an hour brings, by hour of the Shanghai day and by
// weekday, around a daily mean. The live simulator and the history generator share it, so today's calls
// and the usual for this hour come from one curve. Pure.

/** Relative call volume per hour of the day (Shanghai time, 0–23): quiet nights, morning and early-evening peaks. */
export const HOUR_WEIGHTS: readonly number[] = [
  0.18, 0.1, 0.07, 0.06, 0.07, 0.15, 0.35, 0.7, 1.25, 1.7, 1.8, 1.65, 1.3, 1.45, 1.6, 1.55, 1.45, 1.35, 1.25,
  1.3, 1.25, 1.0, 0.65, 0.35,
];

/** Relative volume per weekday, Sunday = 0: weekdays busier than weekends, Monday the busiest. */
export const WEEKDAY_WEIGHTS: readonly number[] = [0.72, 1.15, 1.08, 1.04, 1.02, 1.0, 0.78];

const HOUR_SUM = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);
const WEEK_MEAN = WEEKDAY_WEIGHTS.reduce((a, b) => a + b, 0) / 7;

/** Shanghai (UTC+8) hour of day and weekday of an instant. */
export function shanghaiClock(at: Date): { hour: number; weekday: number } {
  const local = new Date(at.getTime() + 8 * 3_600_000);
  return { hour: local.getUTCHours(), weekday: local.getUTCDay() };
}

/**
 * Expected calls in the hour around `at` for a line that averages `perDay` calls a day over a week.
 * `dayFactor` scales the day (holidays, rainstorms, seasons: the caller knows them).
 */
export function expectedCallsPerHour(at: Date, perDay: number, dayFactor = 1): number {
  const { hour, weekday } = shanghaiClock(at);
  return ((perDay * HOUR_WEIGHTS[hour]) / HOUR_SUM) * (WEEKDAY_WEIGHTS[weekday] / WEEK_MEAN) * dayFactor;
}
