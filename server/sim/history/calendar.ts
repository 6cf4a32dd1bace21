// The calendar of the demo district's past: seasons, China's public holidays and their make-up working
// days (调休), and a few rain and rainstorm days, as factors on the hotline's daily volume and topic mix.
// Pure and deterministic from the seed.
import { createRandom } from '../../domain/random';

const DAY_MS = 86_400_000;
const SHANGHAI_MS = 8 * 3_600_000;

/** Official public holidays (State Council notices), Shanghai dates. Years outside the list have none. */
const HOLIDAY_RANGES: readonly [string, string, string][] = [
  ['2025-01-01', '2025-01-01', '元旦'],
  ['2025-01-28', '2025-02-04', '春节'],
  ['2025-04-04', '2025-04-06', '清明节'],
  ['2025-05-01', '2025-05-05', '劳动节'],
  ['2025-05-31', '2025-06-02', '端午节'],
  ['2025-10-01', '2025-10-08', '国庆节、中秋节'],
  ['2026-01-01', '2026-01-03', '元旦'],
  ['2026-02-15', '2026-02-23', '春节'],
  ['2026-04-04', '2026-04-06', '清明节'],
  ['2026-05-01', '2026-05-05', '劳动节'],
  ['2026-06-19', '2026-06-21', '端午节'],
  ['2026-09-25', '2026-09-27', '中秋节'],
  ['2026-10-01', '2026-10-07', '国庆节'],
];
/** Weekend days worked instead of a holiday's weekdays. */
const MAKE_UP_DAYS: readonly string[] = [
  '2025-01-26',
  '2025-02-08',
  '2025-04-27',
  '2025-09-28',
  '2025-10-11',
  '2026-01-04',
  '2026-02-14',
  '2026-02-28',
  '2026-05-09',
  '2026-09-20',
  '2026-10-10',
];

const HOLIDAYS = new Map<string, string>();
for (const [from, to, name] of HOLIDAY_RANGES)
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS)
    HOLIDAYS.set(new Date(t).toISOString().slice(0, 10), name);
const MAKE_UP = new Set(MAKE_UP_DAYS);

/** One day of the past as the generator sees it. */
export interface HistoryDay {
  /** Shanghai date, "YYYY-MM-DD". */
  date: string;
  /** UTC instant of Shanghai midnight starting the day. */
  start: Date;
  /** Shanghai month 1–12. */
  month: number;
  /** Shanghai weekday, Sunday = 0. */
  weekday: number;
  /** The holiday's name when it is a public holiday. */
  holiday: string | null;
  /** A weekend day worked instead of a holiday (调休). */
  makeUp: boolean;
  /** Rain that day: none, rain, or a rainstorm (暴雨) that floods low-lying blocks. */
  rain: 'none' | 'rain' | 'storm';
  /** "summer" (Jun–Sep), "winter" (Dec–Feb) or "mild". */
  season: 'summer' | 'winter' | 'mild';
  /** Scale of the day's call volume against an ordinary day of its weekday. */
  volume: number;
}

/** The Shanghai date of an instant. */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_MS).toISOString().slice(0, 10);
}

/** The UTC instant of Shanghai midnight of a date. */
export function shanghaiMidnight(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - SHANGHAI_MS);
}

const seasonOf = (month: number): HistoryDay['season'] =>
  month >= 6 && month <= 9 ? 'summer' : month === 12 || month <= 2 ? 'winter' : 'mild';

/** Chance of rain and of a rainstorm by Shanghai month (plum rains in June–July, typhoons in August–September). */
const RAIN_CHANCE = [0, 0.25, 0.3, 0.3, 0.35, 0.35, 0.5, 0.45, 0.35, 0.3, 0.2, 0.2, 0.2];
const STORM_CHANCE = [0, 0, 0, 0, 0, 0.01, 0.06, 0.08, 0.08, 0.05, 0.01, 0, 0];

/** The calendar day with its rain drawn from the seed and the date (the same date always rains alike). */
export function historyDay(date: string, seed: string): HistoryDay {
  const start = shanghaiMidnight(date);
  const month = Number(date.slice(5, 7));
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  const holiday = HOLIDAYS.get(date) ?? null;
  const makeUp = MAKE_UP.has(date);
  const rnd = createRandom(`${seed}:weather:${date}`);
  const u = rnd.next();
  const rain: HistoryDay['rain'] =
    u < STORM_CHANCE[month] ? 'storm' : u < STORM_CHANCE[month] + RAIN_CHANCE[month] ? 'rain' : 'none';
  const season = seasonOf(month);
  let volume = season === 'summer' ? 1.12 : season === 'winter' ? 1.05 : 1;
  if (holiday) volume *= holiday === '春节' ? 0.5 : 0.65;
  // A make-up Saturday or Sunday is worked: it calls like a weekday (weekday weights ≈ 1.0 against 0.75).
  if (makeUp) volume *= 1.35;
  if (rain === 'rain') volume *= 1.05;
  if (rain === 'storm') volume *= 1.3;
  return { date, start, month, weekday, holiday, makeUp, rain, season, volume };
}

/** The days of the past: `days` whole Shanghai days before the day of `end`, then that day up to `end`. */
export function historyDays(end: Date, days: number, seed: string): HistoryDay[] {
  const last = shanghaiMidnight(shanghaiDate(end));
  const out: HistoryDay[] = [];
  for (let i = days; i >= 0; i--) {
    const d = new Date(last.getTime() - i * DAY_MS);
    out.push(historyDay(shanghaiDate(d), seed));
  }
  return out;
}
