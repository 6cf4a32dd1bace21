// KPIs of a small month worked out by hand: March 2026 (Shanghai time) at two units, street office A (11)
// and department B (22), thirteen cases written event by event, then scored under the default scheme.
// Office hours (default calendar): Mon–Fri 09:00–12:00 and 13:00–18:00; 2026-03-02 is a Monday.
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  computeKpis,
  holdingsOf,
  kpisFromEvents,
  mergeKpis,
  monthBounds,
  monthOf,
  summaryOf,
  type CaseEvents,
  type KpiEvent,
  type UnitKpis,
  workingHoursCounter,
} from './kpis';
import { defaultCalendar, workingHoursBetween } from './work-calendar';
import { DEFAULT_SCHEME, score } from './scoring';

const A = 11;
const B = 22;

/** "03-02 09:00" → the ISO instant of that Shanghai time in 2026. */
const at = (s: string) => new Date(`2026-${s.replace(' ', 'T')}:00+08:00`).toISOString();
const ev = (when: string, action: string, data: Record<string, unknown> = {}): KpiEvent => ({
  at: at(when),
  action,
  data,
});
const receive = (when: string) => ev(when, 'receive', { category: 'city.sanitation', priority: 2 });
const send = (action: 'dispatch' | 'reassign' | 'reopen', when: string, dep: number, signDue: string) =>
  ev(when, action, { departmentId: dep, signDueAt: at(signDue) });
const sign = (when: string, due: string) => ev(when, 'sign', { allowedHours: 16, dueAt: at(due) });
const resolve = (when: string) => ev(when, 'resolve');
const rate = (when: string, rating: string) => ev(when, 'rate', { rating });

/** The month's cases; ids 1–13 match the case numbers used in the comments. */
const MARCH: CaseEvents[] = [
  // 1 (A) signed and resolved on time, satisfied. Handling 03-02 10:00 → 03-03 10:00 = 2+5+1 = 8 h.
  {
    caseId: 1,
    events: [
      receive('03-02 08:55'),
      send('dispatch', '03-02 09:00', A, '03-02 11:00'),
      sign('03-02 10:00', '03-04 18:00'),
      ev('03-02 11:00', 'start'),
      resolve('03-03 10:00'),
      ev('03-04 10:00', 'call_back'),
      rate('03-05 10:00', 'satisfied'),
      ev('03-05 11:00', 'close'),
    ],
  },
  // 2 (A) signed late (due 11:00, signed 14:00), resolved on time, partly satisfied.
  // Handling 03-03 14:00 → 03-04 14:00 = 4 + 3 + 1 = 8 h.
  {
    caseId: 2,
    events: [
      send('dispatch', '03-03 09:00', A, '03-03 11:00'),
      sign('03-03 14:00', '03-05 14:00'),
      resolve('03-04 14:00'),
      rate('03-06 10:00', 'partly'),
    ],
  },
  // 3 (A) resolved late (due 03-10 09:30, resolved 03-11 09:30; handling 7.5 + 8 + 0.5 = 16 h), rated
  // unsatisfied, reopened back to A, signed, resolved on time (03-12 13:30 → 03-13 10:00: 4.5 + 1 = 5.5 h),
  // satisfied.
  {
    caseId: 3,
    events: [
      send('dispatch', '03-09 09:00', A, '03-09 11:00'),
      sign('03-09 09:30', '03-10 09:30'),
      resolve('03-11 09:30'),
      ev('03-12 09:00', 'call_back'),
      rate('03-12 10:00', 'unsatisfied'),
      send('reopen', '03-12 11:00', A, '03-12 14:00'),
      sign('03-12 13:30', '03-13 13:30'),
      resolve('03-13 10:00'),
      rate('03-16 10:00', 'satisfied'),
    ],
  },
  // 4 A signs, then the desk reassigns to B before A's deadline; B signs, asks for 8 h more (approved),
  // resolves 03-06 10:00: after the first dueAt (03-05 11:00), before the extended one (03-06 11:00).
  // B's handling 03-03 11:00 → 03-06 10:00 = 6 + 8 + 8 + 1 = 23 h. Satisfied.
  {
    caseId: 4,
    events: [
      send('dispatch', '03-02 09:00', A, '03-02 11:00'),
      sign('03-02 09:30', '03-04 09:30'),
      send('reassign', '03-03 10:00', B, '03-03 12:00'),
      sign('03-03 11:00', '03-05 11:00'),
      ev('03-04 10:00', 'request_extension', { hours: 8 }),
      ev('03-04 15:00', 'decide_extension', {
        approved: true,
        hours: 8,
        allowedHours: 24,
        dueAt: at('03-06 11:00'),
      }),
      resolve('03-06 10:00'),
      rate('03-09 10:00', 'satisfied'),
    ],
  },
  // 5 B returns it before signing (no sign outcome for that holding); the desk dispatches it back to B: an
  // unjustified return. B signs on time, resolves on time: 03-05 15:00 → 03-06 14:00 = 3 + 3 + 1 = 7 h.
  {
    caseId: 5,
    events: [
      send('dispatch', '03-05 09:00', B, '03-05 11:00'),
      ev('03-05 10:00', 'return', { departmentId: B }),
      send('dispatch', '03-05 14:00', B, '03-05 16:00'),
      sign('03-05 15:00', '03-06 15:00'),
      resolve('03-06 14:00'),
    ],
  },
  // 6 A returns it (justified: the desk sends it to B). B: 03-10 10:30 → 03-11 10:00 = 1.5 + 5 + 1 = 7.5 h.
  {
    caseId: 6,
    events: [
      send('dispatch', '03-10 09:00', A, '03-10 11:00'),
      ev('03-10 09:30', 'return', { departmentId: A }),
      send('dispatch', '03-10 10:00', B, '03-10 12:00'),
      sign('03-10 10:30', '03-11 10:30'),
      resolve('03-11 10:00'),
    ],
  },
  // 7 B signs, asks for an extension (refused), lets the deadline 03-18 10:00 pass: overdue, still open.
  {
    caseId: 7,
    events: [
      send('dispatch', '03-16 09:00', B, '03-16 11:00'),
      sign('03-16 10:00', '03-18 10:00'),
      ev('03-17 10:00', 'request_extension', { hours: 16 }),
      ev('03-17 11:00', 'decide_extension', { approved: false, hours: 16 }),
    ],
  },
  // 8 (A) sensor-born: alarm opened 08:50, acknowledged 09:05 (15 min); dispatched by the system, resolved
  // on time; handling 09:20 → 12:00 = 2 h 40 min = 2.67 h.
  {
    caseId: 8,
    alarm: { openedAt: at('03-17 08:50'), acknowledgedAt: at('03-17 09:05') },
    events: [
      send('dispatch', '03-17 09:00', A, '03-17 10:00'),
      sign('03-17 09:20', '03-17 13:20'),
      resolve('03-17 12:00'),
    ],
  },
  // 9 (B) never signed: the sign deadline 03-20 11:00 passes → signed late.
  { caseId: 9, events: [send('dispatch', '03-20 09:00', B, '03-20 11:00')] },
  // 10 (A) from February: overdue in February (due 02-27 10:00), resolved late in March.
  // Handling 02-25 10:00 → 03-02 15:00 = 7 + 8 + 8 + 5 = 28 h.
  {
    caseId: 10,
    events: [
      send('dispatch', '02-25 09:00', A, '02-25 11:00'),
      sign('02-25 10:00', '02-27 10:00'),
      resolve('03-02 15:00'),
    ],
  },
  // 11 (A) overdue in March (due 03-25 09:10), resolved in April.
  {
    caseId: 11,
    events: [
      send('dispatch', '03-23 09:00', A, '03-23 11:00'),
      sign('03-23 09:10', '03-25 09:10'),
      resolve('04-02 10:00'),
    ],
  },
  // 12 (A) received on the month's last evening, signed on time in April.
  {
    caseId: 12,
    events: [send('dispatch', '03-31 17:00', A, '04-01 10:00'), sign('04-01 09:00', '04-02 09:00')],
  },
  // 13 (B) resolved on time, rated unsatisfied, not (yet) reopened. Handling 2.5 + 5 + 0.5 = 8 h.
  {
    caseId: 13,
    events: [
      send('dispatch', '03-24 09:00', B, '03-24 11:00'),
      sign('03-24 09:30', '03-26 09:30'),
      resolve('03-25 09:30'),
      rate('03-26 10:00', 'unsatisfied'),
    ],
  },
];

/** After the month: every March deadline has passed. */
const AS_OF = new Date(at('04-10 12:00'));

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);
/** Each count KPI as its sorted case ids. */
const idsOf = (k: UnitKpis) =>
  Object.fromEntries(Object.entries(k.counts).map(([name, v]) => [name, sorted(v.caseIds)]));

describe('KPIs of the hand-computed month', () => {
  const march = kpisFromEvents(MARCH, '2026-03', { asOf: AS_OF });

  it('attributes every occurrence of street office A to the right cases', () => {
    // received: 1, 2, 3 (dispatch) and 3 again (reopen), 4 (before the reassignment), 6, 8, 11, 12 → 9
    // signed on time: 1, 3, 3 (after the reopen), 4, 8, 11 → 6; late: 2 (due 11:00, signed 14:00) → 1
    // resolved: 1, 2, 3, 3, 8, 10 → 6; on time 1, 2, 3 (second), 8 → 4; late 3 (first), 10 → 2
    // overdue: 11 (due 03-25, open at the month's end); not 4 (reassigned away before its deadline)
    // returned: 6, judged justified (sent on to B); reopened: 3; ratings: 1 and 3 satisfied, 2 partly,
    // 3 unsatisfied → 4 rated
    expect(idsOf(march.get(A)!)).toEqual({
      received: [1, 2, 3, 3, 4, 6, 8, 11, 12],
      signedOnTime: [1, 3, 3, 4, 8, 11],
      signedLate: [2],
      resolved: [1, 2, 3, 3, 8, 10],
      resolvedOnTime: [1, 2, 3, 8],
      resolvedLate: [3, 10],
      overdue: [11],
      returned: [6],
      unjustifiedReturns: [],
      extensionsRequested: [],
      extensionsApproved: [],
      reopened: [3],
      rated: [1, 2, 3, 3],
      satisfied: [1, 3],
      partly: [2],
      unsatisfied: [3],
    });
  });

  it("gives A its rates, handling time and the sensor case's acknowledgement time", () => {
    const a = march.get(A)!;
    // signed 6 / (6 + 1) = 0.8571; resolved on time 4 / 6 = 0.6667; satisfied or partly 3 / 4 = 0.75
    expect(a.rates).toEqual({ signedOnTimeRate: 0.8571, resolvedOnTimeRate: 0.6667, satisfactionRate: 0.75 });
    // handling hours 8 (1), 8 (2), 16 (3), 5.5 (3 again), 2.67 (8), 28 (10): sum 68.17 / 6 = 11.36;
    // p90 = the ⌈0.9 · 6⌉ = 6th smallest = 28
    expect(sorted(a.times.handlingHours.values)).toEqual([2.67, 5.5, 8, 8, 16, 28]);
    expect(a.times.handlingHours).toMatchObject({ n: 6, mean: 11.36, p90: 28 });
    // case 8: alarm 08:50 → acknowledged 09:05 = 15 minutes
    expect(a.times.alarmAckMinutes).toMatchObject({ n: 1, mean: 15, p90: 15, caseIds: [8] });
  });

  it('attributes every occurrence of department B to the right cases', () => {
    // received: 4 (reassigned), 5 twice (dispatched back after the return), 6, 7, 9, 13 → 7
    // signed on time: 4, 5 (second holding), 6, 7, 13 → 5; late: 9 (never signed) → 1; the first holding
    // of 5 was returned before its sign deadline, so it has no sign outcome
    // resolved on time: 4 (thanks to the approved extension), 5, 6, 13; overdue: 7
    // returned 5, unjustified (the desk sent it straight back); extensions requested 4 and 7, approved 4
    expect(idsOf(march.get(B)!)).toEqual({
      received: [4, 5, 5, 6, 7, 9, 13],
      signedOnTime: [4, 5, 6, 7, 13],
      signedLate: [9],
      resolved: [4, 5, 6, 13],
      resolvedOnTime: [4, 5, 6, 13],
      resolvedLate: [],
      overdue: [7],
      returned: [5],
      unjustifiedReturns: [5],
      extensionsRequested: [4, 7],
      extensionsApproved: [4],
      reopened: [],
      rated: [4, 13],
      satisfied: [4],
      partly: [],
      unsatisfied: [13],
    });
    const b = march.get(B)!;
    // signed 5 / 6 = 0.8333; resolved 4 / 4 = 1; satisfaction 1 / 2 = 0.5
    expect(b.rates).toEqual({ signedOnTimeRate: 0.8333, resolvedOnTimeRate: 1, satisfactionRate: 0.5 });
    // 23 (4), 7 (5), 7.5 (6), 8 (13): 45.5 / 4 = 11.375 → 11.38; p90 = 4th smallest = 23
    expect(b.times.handlingHours).toMatchObject({ n: 4, mean: 11.38, p90: 23 });
    expect(b.times.alarmAckMinutes).toMatchObject({ n: 0, mean: null, p90: null });
  });

  it('scores both units under the default scheme, and the explanations add up to the score', () => {
    // A: signing (0.8571 − 0.8) / (0.98 − 0.8) × 2 = 0.63 (−1.37); on-time resolution 0.6667 is below the
    // floor 0.7 → 0 (−4); overdue 1 × 0.2 (−0.2); unjustified returns 0; reopened 1 × 0.5 (−0.5);
    // satisfaction (0.75 − 0.6) / 0.35 × 5 = 2.14 (−2.86); unsatisfied 1 × 0.25 (−0.25)
    // total 0.63 + 0 + 1.8 + 2 + 2.5 + 2.14 + 1.75 = 10.82 = 20 − 9.18
    const a = score(march.get(A)!, DEFAULT_SCHEME);
    expect(a.total).toBe(10.82);
    expect(a.items.map((i) => i.earned)).toEqual([0.63, 0, 1.8, 2, 2.5, 2.14, 1.75]);
    expect(a.items[1].explanation).toEqual({
      zh: '−4：2 件超期办结（按时办结率 66.7%，目标 95%）',
      en: '−4: 2 cases resolved late (66.7% resolved on time, target 95%)',
    });
    expect(sorted(a.items[1].caseIds)).toEqual([3, 10]);
    expect(a.items[2].explanation.en).toBe('−0.2: 1 cases overdue and unresolved');
    expect(a.items[3].explanation.zh).toBe('满分：0 件不当退单');
    // B: signing (0.8333 − 0.8) / 0.18 × 2 = 0.37; resolution 4; overdue 1.8; unjustified return 1.5;
    // reopened 3; satisfaction 0.5 below the floor 0.6 → 0; unsatisfied 1.75 → 12.42
    const b = score(march.get(B)!, DEFAULT_SCHEME);
    expect(b.items.map((i) => i.earned)).toEqual([0.37, 4, 1.8, 1.5, 3, 0, 1.75]);
    expect(b.total).toBe(12.42);
    for (const s of [a, b]) {
      const lostCents = s.items.reduce((n, i) => n + Math.round(i.lost * 100), 0);
      expect(2000 - lostCents).toBe(Math.round(s.total * 100));
    }
  });

  it('counts February and April by their own decisive moments', () => {
    const months = computeKpis(MARCH.flatMap(holdingsOf), ['2026-02', '2026-04'], { asOf: AS_OF });
    // February: case 10 received, signed on time, and overdue at the month's end (due 02-27 10:00)
    expect(idsOf(months.get('2026-02')!.get(A)!)).toMatchObject({
      received: [10],
      signedOnTime: [10],
      overdue: [10],
      resolved: [],
    });
    // April: case 11 resolved late; case 12 signed on time, then its deadline 04-02 09:00 passed unresolved
    expect(idsOf(months.get('2026-04')!.get(A)!)).toMatchObject({
      signedOnTime: [12],
      resolvedLate: [11],
      overdue: [12],
    });
    expect(months.get('2026-04')!.has(B)).toBe(false);
  });

  it('counts no deadline that has not passed yet in the running month', () => {
    // As of 03-17 12:00: case 7's deadline (03-18) and case 9's sign deadline (03-20) lie ahead; case 9 and
    // the later cases have not happened yet.
    const now = new Date(at('03-17 12:00'));
    const upToNow = MARCH.map((c) => ({ ...c, events: c.events.filter((e) => e.at <= now.toISOString()) }));
    const b = kpisFromEvents(upToNow, '2026-03', { asOf: now }).get(B)!;
    expect(b.counts.overdue.count).toBe(0);
    expect(b.counts.signedLate.count).toBe(0);
    expect(b.counts.extensionsRequested.caseIds).toEqual([4, 7]);
  });

  it('merges months into year-to-date: counts add up, durations are pooled', () => {
    const months = computeKpis(MARCH.flatMap(holdingsOf), ['2026-02', '2026-03'], { asOf: AS_OF });
    const ytd = mergeKpis(A, [months.get('2026-02')!.get(A)!, months.get('2026-03')!.get(A)!]);
    expect(ytd.counts.received.count).toBe(10);
    expect(ytd.counts.overdue.caseIds).toEqual([10, 11]);
    expect(ytd.times.handlingHours).toMatchObject({ n: 6, mean: 11.36, p90: 28 });
    expect(summaryOf(ytd).counts.signedOnTime).toBe(7);
  });
});

describe('holdings', () => {
  it('cuts a reassigned case into one holding per unit, with the extended deadline in force', () => {
    const hs = holdingsOf(MARCH[3]);
    expect(hs.map((h) => [h.departmentId, h.startedBy])).toEqual([
      [A, 'dispatch'],
      [B, 'reassign'],
    ]);
    expect(hs[0].next).toEqual({
      startedBy: 'reassign',
      startedAt: Date.parse(at('03-03 10:00')),
      departmentId: B,
    });
    expect(hs[1].dueAt).toBe(Date.parse(at('03-06 11:00')));
    expect(hs[1].extensionApprovedAt).toHaveLength(1);
  });

  it('ignores events before the first dispatch and a rating it cannot read', () => {
    const hs = holdingsOf({
      caseId: 99,
      events: [
        receive('03-02 08:00'),
        ev('03-02 08:30', 'reclassify', { category: 'x' }),
        send('dispatch', '03-02 09:00', A, '03-02 11:00'),
        rate('03-02 12:00', 'great'),
      ],
    });
    expect(hs).toHaveLength(1);
    expect(hs[0].rating).toBeNull();
  });
});

describe('working hours', () => {
  it('counts exactly as workingHoursBetween does, holidays and make-up days included', () => {
    const cal = defaultCalendar('2026-10-01..2026-10-07', '2026-10-10');
    const count = workingHoursCounter(cal);
    let seed = 7;
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const base = Date.parse('2026-09-20T00:00:00Z');
    for (let i = 0; i < 2000; i++) {
      const from = base + Math.floor(rnd() * 40 * 86_400_000);
      const to = from + Math.floor(rnd() * 12 * 86_400_000) - 86_400_000;
      expect(count(from, to)).toBe(workingHoursBetween(cal, new Date(from), new Date(to)));
    }
  });
});

describe('months', () => {
  it('are Shanghai calendar months', () => {
    expect(monthBounds('2026-03')).toEqual({
      from: Date.parse('2026-02-28T16:00:00Z'),
      to: Date.parse('2026-03-31T16:00:00Z'),
    });
    expect(monthOf(new Date('2026-02-28T16:00:00Z'))).toBe('2026-03');
    expect(monthOf(new Date('2026-02-28T15:59:59Z'))).toBe('2026-02');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-03', -12)).toBe('2025-03');
    expect(() => monthBounds('2026-13')).toThrow(/not like/);
  });
});
