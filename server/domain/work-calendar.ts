// The working-hours calendar that case deadlines run on: office hours on weekdays, minus public holidays,
// plus the weekend days that are worked instead (调休). Pure: every function takes the instants it needs.
import type { DeadlineStatus } from '../../src/lib/api/cases';

/** A calendar in one fixed UTC offset (China has no daylight saving). */
export interface WorkCalendar {
  /** Minutes east of UTC, 480 for China Standard Time. */
  utcOffsetMinutes: number;
  /** Office hours of a working day as [start, end) minutes after local midnight, sorted, not overlapping. */
  windows: readonly (readonly [number, number])[];
  /** Local dates ("YYYY-MM-DD") that are not worked although they are weekdays. */
  holidays: ReadonlySet<string>;
  /** Local dates that are worked although they fall on a weekend. */
  workdays: ReadonlySet<string>;
}

export type { DeadlineStatus };

const MINUTE = 60_000;
const DAY_MIN = 24 * 60;

/** Parses "09:00-12:00,13:00-18:00" into windows; throws naming the bad part. */
export function parseWindows(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(part);
    if (!m) throw new Error(`office hours "${part}" are not like 09:00-12:00`);
    const start = Number(m[1]) * 60 + Number(m[2]);
    const end = Number(m[3]) * 60 + Number(m[4]);
    if (end <= start || end > DAY_MIN) throw new Error(`office hours "${part}" end before they start`);
    if (out.length > 0 && start < out[out.length - 1][1])
      throw new Error(`office hours "${part}" overlap the previous window`);
    out.push([start, end]);
  }
  return out;
}

/** Parses "2026-10-01..2026-10-07,2027-01-01" into a set of dates; throws naming the bad part. */
export function parseDates(text: string): Set<string> {
  const out = new Set<string>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?$/.exec(part);
    const from = m ? Date.parse(`${m[1]}T00:00:00Z`) : NaN;
    const to = m?.[2] ? Date.parse(`${m[2]}T00:00:00Z`) : from;
    if (!m || Number.isNaN(from) || Number.isNaN(to) || to < from)
      throw new Error(`date "${part}" is not like 2026-10-01 or 2026-10-01..2026-10-07`);
    if ((to - from) / (DAY_MIN * MINUTE) > 366) throw new Error(`date range "${part}" is longer than a year`);
    for (let t = from; t <= to; t += DAY_MIN * MINUTE) out.add(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** The default: 09:00–12:00 and 13:00–18:00 China time, no holidays configured. */
export function defaultCalendar(holidays = '', workdays = ''): WorkCalendar {
  return {
    utcOffsetMinutes: 480,
    windows: parseWindows('09:00-12:00,13:00-18:00'),
    holidays: parseDates(holidays),
    workdays: parseDates(workdays),
  };
}

/** Local day number (days since 1970-01-01 local) and minute of that day. */
function local(cal: WorkCalendar, at: Date): { day: number; minute: number } {
  const m = Math.floor(at.getTime() / MINUTE) + cal.utcOffsetMinutes;
  const day = Math.floor(m / DAY_MIN);
  return { day, minute: m - day * DAY_MIN };
}

function instant(cal: WorkCalendar, day: number, minute: number): Date {
  return new Date((day * DAY_MIN + minute - cal.utcOffsetMinutes) * MINUTE);
}

/** Whether a local day (days since epoch) is worked. */
export function isWorkingDay(cal: WorkCalendar, day: number): boolean {
  const iso = new Date(day * DAY_MIN * MINUTE).toISOString().slice(0, 10);
  if (cal.workdays.has(iso)) return true;
  if (cal.holidays.has(iso)) return false;
  const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday !== 0 && weekday !== 6;
}

/** Office minutes of one day that lie after `fromMinute`. */
function minutesLeftInDay(cal: WorkCalendar, fromMinute: number): number {
  let n = 0;
  for (const [s, e] of cal.windows) n += Math.max(0, e - Math.max(s, fromMinute));
  return n;
}

/** The instant that lies `hours` working hours after `start` (start itself may be outside office hours). */
export function addWorkingHours(cal: WorkCalendar, start: Date, hours: number): Date {
  if (!(hours >= 0)) throw new Error(`working hours must be ≥ 0, got ${hours}`);
  let remaining = Math.round(hours * 60);
  let { day, minute } = local(cal, start);
  const secondsInto = start.getTime() % MINUTE;
  if (secondsInto > 0) minute += secondsInto / MINUTE; // keep sub-minute precision of the start
  for (let guard = 0; guard < 3660; guard++) {
    if (isWorkingDay(cal, day)) {
      for (const [s, e] of cal.windows) {
        const from = Math.max(s, minute);
        if (from >= e) continue;
        if (remaining <= e - from) return instant(cal, day, from + remaining);
        remaining -= e - from;
      }
    }
    day++;
    minute = 0;
  }
  throw new Error('no working time within ten years: check the calendar');
}

/** Working hours between two instants (0 when `to` is not after `from`). */
export function workingHoursBetween(cal: WorkCalendar, from: Date, to: Date): number {
  if (to <= from) return 0;
  const a = local(cal, from);
  const b = local(cal, to);
  let minutes = 0;
  for (let day = a.day; day <= b.day; day++) {
    if (!isWorkingDay(cal, day)) continue;
    const start = day === a.day ? a.minute : 0;
    const end = day === b.day ? b.minute : DAY_MIN;
    minutes += minutesLeftInDay(cal, start) - minutesLeftInDay(cal, end);
  }
  return minutes / 60;
}

/**
 * Where a deadline stands at `now`: overdue once passed; due soon when at most a fifth of the allowed
 * working time (and never less than 2 h) is left.
 */
export function deadlineStatus(
  cal: WorkCalendar,
  dueAt: Date,
  allowedHours: number,
  now: Date,
): DeadlineStatus {
  if (now.getTime() > dueAt.getTime()) return 'overdue';
  const left = workingHoursBetween(cal, now, dueAt);
  return left <= Math.max(2, allowedHours / 5) ? 'due_soon' : 'on_track';
}
