// Today's hotline calls against normal: calls per hour of the Shanghai day, and the mean of the same hours
// on the same weekday of the weeks before. Pure: the repository counts, this compares.

/** China Standard Time: UTC+8, no daylight saving. */
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
/** Same weekday, this many weeks back, make "normal". */
export const BASELINE_WEEKS = 4;

/** Calls counted in one hour of one day, `day` days before today (0 = today). */
export interface HourCount {
  day: number;
  hour: number;
  calls: number;
}

export interface HotlineVolume {
  /** Calls since midnight (Shanghai). */
  today: number;
  /** Mean calls of the baseline days up to the same time of day; null without any baseline day. */
  normalSoFar: number | null;
  /** Mean calls of a whole baseline day; null without any. */
  normalDay: number | null;
  /** today / normalSoFar − 1 (e.g. 0.25 = 25 % above normal); null when normal is unknown or zero. */
  change: number | null;
  /** How many of the BASELINE_WEEKS same-weekday days had data (the service has not run that long). */
  baselineDays: number;
  /** Hours 0–23 of the Shanghai day; today's hours after now are null. */
  hours: { hour: number; today: number | null; normal: number | null }[];
}

/** Shanghai midnight of the day `now` falls in. */
export function shanghaiMidnight(now: Date): Date {
  return new Date(Math.floor((now.getTime() + OFFSET_MS) / DAY_MS) * DAY_MS - OFFSET_MS);
}

/** The days (0 = today) the baseline reads: 7, 14, 21, 28. */
export const baselineDayOffsets = (): number[] =>
  Array.from({ length: BASELINE_WEEKS }, (_, i) => (i + 1) * 7);

/**
 * Compares today with the same weekday of the weeks before. `firstCallAt` is the oldest call stored: days
 * before it do not count as quiet days, they did not exist for the system.
 */
export function hotlineVolume(counts: HourCount[], now: Date, firstCallAt: Date | null): HotlineVolume {
  const midnight = shanghaiMidnight(now);
  const hourNow = Math.floor((now.getTime() - midnight.getTime()) / 3_600_000);
  const minuteShare = ((now.getTime() - midnight.getTime()) % 3_600_000) / 3_600_000;
  const days = baselineDayOffsets().filter(
    (d) => firstCallAt !== null && firstCallAt.getTime() <= midnight.getTime() - d * DAY_MS,
  );
  const grid = new Map<string, number>();
  for (const c of counts) grid.set(`${c.day}:${c.hour}`, (grid.get(`${c.day}:${c.hour}`) ?? 0) + c.calls);
  const at = (day: number, hour: number) => grid.get(`${day}:${hour}`) ?? 0;
  const mean = (hour: number) =>
    days.length === 0 ? null : days.reduce((s, d) => s + at(d, hour), 0) / days.length;

  const hours = Array.from({ length: 24 }, (_, hour) => ({
    hour,
    today: hour <= hourNow ? at(0, hour) : null,
    normal: mean(hour),
  }));
  const today = hours.reduce((s, h) => s + (h.today ?? 0), 0);
  let normalSoFar: number | null = null;
  let normalDay: number | null = null;
  if (days.length > 0) {
    // The current hour counts in proportion to how much of it has passed.
    normalSoFar = hours.reduce(
      (s, h) => s + (h.hour < hourNow ? h.normal! : h.hour === hourNow ? h.normal! * minuteShare : 0),
      0,
    );
    normalDay = hours.reduce((s, h) => s + h.normal!, 0);
  }
  const change = normalSoFar !== null && normalSoFar > 0 ? today / normalSoFar - 1 : null;
  return { today, normalSoFar, normalDay, change, baselineDays: days.length, hours };
}
