import { describe, expect, it } from 'vitest';
import {
  addWorkingHours,
  deadlineStatus,
  defaultCalendar,
  isWorkingDay,
  parseDates,
  parseWindows,
  workingHoursBetween,
} from './work-calendar';

// Local China time (UTC+8) written out, so each case reads like the office clock.
const cst = (local: string) => new Date(`${local}+08:00`);
const cal = defaultCalendar('2026-10-01..2026-10-07', '2026-10-10');

describe('working-hours calendar', () => {
  it('counts office hours only: 09–12 and 13–18 on weekdays', () => {
    // Friday 2026-11-27 10:00 + 4 h → 11:00–12:00 (2 h), lunch, 13:00–15:00 → 15:00
    expect(addWorkingHours(cal, cst('2026-11-27T10:00:00'), 4)).toEqual(cst('2026-11-27T15:00:00'));
    // Friday 16:00 + 4 h → 2 h Friday, weekend skipped, Monday 09:00–11:00
    expect(addWorkingHours(cal, cst('2026-11-27T16:00:00'), 4)).toEqual(cst('2026-11-30T11:00:00'));
    // started on a Saturday night, the clock waits for Monday morning
    expect(addWorkingHours(cal, cst('2026-11-28T22:30:00'), 1)).toEqual(cst('2026-11-30T10:00:00'));
    // started in the lunch break
    expect(addWorkingHours(cal, cst('2026-11-27T12:20:00'), 0.5)).toEqual(cst('2026-11-27T13:30:00'));
    // a full working day is 8 h
    expect(addWorkingHours(cal, cst('2026-11-26T09:00:00'), 8)).toEqual(cst('2026-11-26T18:00:00'));
  });

  it('skips configured holidays and works the make-up Saturday', () => {
    // National Day week 1–7 Oct is off; Saturday 10 Oct is a working day
    expect(isWorkingDay(cal, Math.floor(Date.parse('2026-10-05T00:00:00Z') / 86_400_000))).toBe(false);
    expect(isWorkingDay(cal, Math.floor(Date.parse('2026-10-10T00:00:00Z') / 86_400_000))).toBe(true);
    // Wed 30 Sep 17:00 + 2 h → 1 h on 30 Sep, then 8 Oct (Thu) 09:00–10:00
    expect(addWorkingHours(cal, cst('2026-09-30T17:00:00'), 2)).toEqual(cst('2026-10-08T10:00:00'));
    // Fri 9 Oct 17:00 + 2 h → 1 h Friday, 1 h on the make-up Saturday
    expect(addWorkingHours(cal, cst('2026-10-09T17:00:00'), 2)).toEqual(cst('2026-10-10T10:00:00'));
  });

  it('measures working hours between two instants, the inverse of adding them', () => {
    expect(workingHoursBetween(cal, cst('2026-11-27T16:00:00'), cst('2026-11-30T11:00:00'))).toBe(4);
    expect(workingHoursBetween(cal, cst('2026-11-28T08:00:00'), cst('2026-11-29T20:00:00'))).toBe(0);
    expect(workingHoursBetween(cal, cst('2026-11-27T11:30:00'), cst('2026-11-27T13:30:00'))).toBe(1);
    expect(workingHoursBetween(cal, cst('2026-11-30T11:00:00'), cst('2026-11-27T16:00:00'))).toBe(0);
    for (const [start, hours] of [
      ['2026-11-27T10:17:00', 13],
      ['2026-09-29T08:00:00', 40],
      ['2026-11-28T03:00:00', 80],
    ] as const) {
      const due = addWorkingHours(cal, cst(start), hours);
      expect(workingHoursBetween(cal, cst(start), due)).toBeCloseTo(hours, 5);
    }
  });

  it('says on track, due soon (last fifth, at least 2 h) and overdue', () => {
    const due = cst('2026-11-30T18:00:00'); // Monday evening, 40 h allowed
    expect(deadlineStatus(cal, due, 40, cst('2026-11-27T09:00:00'))).toBe('on_track');
    expect(deadlineStatus(cal, due, 40, cst('2026-11-30T10:00:00'))).toBe('due_soon'); // 8 h left ≤ 8
    expect(deadlineStatus(cal, due, 40, cst('2026-11-27T17:00:00'))).toBe('on_track'); // 9 h left
    expect(deadlineStatus(cal, due, 4, cst('2026-11-30T16:30:00'))).toBe('due_soon'); // 1.5 h ≤ 2
    expect(deadlineStatus(cal, due, 40, cst('2026-11-30T18:00:01'))).toBe('overdue');
  });

  it('refuses malformed configuration with the bad part named', () => {
    expect(() => parseWindows('9-12')).toThrow('"9-12"');
    expect(() => parseWindows('13:00-12:00')).toThrow('end before they start');
    expect(() => parseWindows('09:00-12:00,11:00-13:00')).toThrow('overlap');
    expect(() => parseDates('2026-13-45')).toThrow('"2026-13-45"');
    expect(() => parseDates('2026-10-07..2026-10-01')).toThrow('2026-10-07..2026-10-01');
    expect(parseDates('2026-10-01..2026-10-03, 2027-01-01')).toEqual(
      new Set(['2026-10-01', '2026-10-02', '2026-10-03', '2027-01-01']),
    );
    expect(() => addWorkingHours(cal, new Date(), -1)).toThrow('≥ 0');
  });
});
