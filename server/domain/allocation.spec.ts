import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PLAN_OPTIONS,
  allocationAllows,
  demoCapacity,
  nightPatrols,
  planAllocation,
  recommendMoves,
  unitLoad,
  whatIf,
  type AllocationData,
  type AllocationOptions,
  type UnitInput,
} from './allocation';

// 40 h × 0.5 = 20 case hours per staff member per week keeps the hand arithmetic short.
const opts: AllocationOptions = {
  horizonWeeks: 2,
  hoursPerStaff: 40,
  utilisation: 0.5,
  minStaff: 2,
  maxStaffPerMove: 5,
  maxMoves: 10,
};

/** Street A has slack: 10 staff → 200 h → 40 cases/week for 20 forecast. Overdue/week 0.1 × 20 = 2. */
const streetA: UnitInput = {
  departmentId: 1,
  name: 'Street A',
  pool: 'district:1',
  staff: 10,
  forecastCasesPerWeek: 20,
  onTimeRate: 0.9,
  effortHoursPerCase: 5,
  backlog: 0,
};
/** Street B is behind: demand 30 + 10/2 = 35/week, 4 staff → 16/week. Overdue/week 19 + 0.2 × 16 = 22.2. */
const streetB: UnitInput = {
  departmentId: 2,
  name: 'Street B',
  pool: 'district:1',
  staff: 4,
  forecastCasesPerWeek: 30,
  onTimeRate: 0.8,
  effortHoursPerCase: 5,
  backlog: 10,
};

describe('unitLoad', () => {
  it('computes hours, throughput, load and overdue over the horizon', () => {
    expect(unitLoad(streetB, 4, opts)).toEqual({
      demandCasesPerWeek: 35,
      demandHoursPerWeek: 175,
      capacityHoursPerWeek: 80,
      throughputCasesPerWeek: 16,
      load: 2.1875,
      expectedOverdue: expect.closeTo(44.4, 9),
    });
    expect(unitLoad(streetA, 10, opts).expectedOverdue).toBeCloseTo(4, 9);
  });

  it('counts all demand as overdue without staff, and nothing without demand', () => {
    const none = unitLoad(streetB, 0, opts);
    expect(none.load).toBe(Infinity);
    expect(none.expectedOverdue).toBe(70);
    const idle = unitLoad({ ...streetA, forecastCasesPerWeek: 0 }, 10, opts);
    expect(idle).toMatchObject({ load: 0, expectedOverdue: 0 });
  });
});

describe('recommendMoves', () => {
  it('moves staff from the unit with slack to the overloaded one, with the numbers behind it', () => {
    const [move, ...rest] = recommendMoves([streetA, streetB], opts);
    expect(rest).toEqual([]);
    // 5 staff: B throughput 36 ≥ 35, overdue 0.2 × 35 × 2 = 14; A keeps 5 × 20 h = 100 h = 20 cases, still 4.
    expect(move).toMatchObject({
      kind: 'move',
      fromDepartmentId: 1,
      toDepartmentId: 2,
      staff: 5,
      weeks: 2,
      expectedOverdueBefore: 48.4,
      expectedOverdueAfter: 18,
      reduction: 30.4,
      from: { staffBefore: 10, staffAfter: 5, overdueBefore: 4, overdueAfter: 4, throughputAfter: 20 },
      to: { staffBefore: 4, staffAfter: 9, overdueBefore: 44.4, overdueAfter: 14, throughputAfter: 36 },
    });
    expect(move.reason).toContain('Moving 5 staff for 2 weeks cuts expected overdue from 48.4 to 18');
  });

  it('merges repeated rounds between the same pair when one move is capped', () => {
    // Round 1: 3 staff (B 28/week: 7 + 5.6 = 12.6/week → 25.2). Round 2: 2 more (B 36/week → 14); a third
    // would leave A at 16/week for 20 and make things worse.
    const [move] = recommendMoves([streetA, streetB], { ...opts, maxStaffPerMove: 3 });
    expect(move).toMatchObject({
      staff: 5,
      expectedOverdueBefore: 48.4,
      expectedOverdueAfter: 18,
      reduction: 30.4,
    });
  });

  it('never leaves a unit below the minimum', () => {
    // A needs 4 cases/week = 1 staff; it has 3, so only 1 may go although 2 would still cover its work.
    const [move] = recommendMoves([{ ...streetA, staff: 3, forecastCasesPerWeek: 4 }, streetB], opts);
    expect(move).toMatchObject({ staff: 1, from: { staffAfter: 2 } });
  });

  it('only moves staff within a pool, and not into units outside any pool', () => {
    const otherDistrict = { ...streetA, departmentId: 3, pool: 'district:2' };
    const functional = { ...streetB, departmentId: 4, pool: null };
    expect(recommendMoves([otherDistrict, functional, streetB], opts)).toEqual([]);
  });

  it('recommends nothing when no move lowers expected overdue', () => {
    const calm = { ...streetB, forecastCasesPerWeek: 5, backlog: 0 };
    expect(recommendMoves([streetA, calm], opts)).toEqual([]);
  });

  it('ranks moves by reduction and keeps donors and receivers apart', () => {
    const streetC = { ...streetB, departmentId: 5, name: 'Street C', forecastCasesPerWeek: 20, backlog: 0 };
    // A (12 staff, needs 5) gives B 5 (saves 15.2/week), then C 1 (C: 20 for 16/week → 20; saves 3.2/week).
    const moves = recommendMoves([{ ...streetA, staff: 12 }, streetB, streetC], opts);
    expect(moves.map((m) => [m.fromDepartmentId, m.toDepartmentId, m.staff, m.reduction])).toEqual([
      [1, 2, 5, 30.4],
      [1, 5, 1, 6.4],
    ]);
    for (let i = 1; i < moves.length; i++)
      expect(moves[i - 1].reduction).toBeGreaterThanOrEqual(moves[i].reduction);
    const donors = new Set(moves.map((m) => m.fromDepartmentId));
    for (const m of moves) expect(donors.has(m.toDepartmentId)).toBe(false);
  });
});

describe('whatIf', () => {
  it('projects the effect of new staff numbers', () => {
    const r = whatIf([streetA, streetB], [{ departmentId: 2, staff: 9 }], opts);
    expect(r).toEqual({
      horizonWeeks: 2,
      units: [
        {
          departmentId: 2,
          name: 'Street B',
          staffBefore: 4,
          staffAfter: 9,
          overdueBefore: 44.4,
          overdueAfter: 14,
          loadBefore: 2.188,
          loadAfter: 0.972,
        },
      ],
      totalBefore: 48.4,
      totalAfter: 18,
      reduction: 30.4,
      unknownDepartmentIds: [],
    });
  });

  it('lists department ids it does not know', () => {
    expect(whatIf([streetA], [{ departmentId: 99, staff: 1 }], opts).unknownDepartmentIds).toEqual([99]);
  });
});

describe('nightPatrols', () => {
  const hours = (night: number[], day: number) => {
    const h = new Array<number>(24).fill(0);
    [22, 23, 0, 1].forEach((hour, i) => (h[hour] = night[i]));
    h[12] = day;
    return h;
  };

  it('picks cells with many night reports that are a large share', () => {
    const out = nightPatrols(
      [
        { gridCellId: 1, cell: 'X', streetId: 7, hours: hours([5, 4, 2, 1], 12) },
        { gridCellId: 2, cell: 'Y', streetId: 7, hours: hours([4, 3, 2, 1], 90) },
        { gridCellId: 3, cell: 'Z', streetId: 7, hours: hours([2, 1, 0, 0], 0) },
        { gridCellId: 4, cell: 'W', streetId: 8, hours: hours([10, 10, 5, 5], 10) },
      ],
      { minCount: 8, minShare: 0.35, limit: 10 },
    );
    expect(out.map((p) => [p.cell, p.count, p.total, p.share])).toEqual([
      ['W', 30, 40, 0.75],
      ['X', 12, 24, 0.5],
    ]);
    expect(out[1]).toMatchObject({ kind: 'night_patrol', window: '22:00–02:00', streetId: 7 });
  });
});

describe('demoCapacity', () => {
  it('gives street offices 6–12 and other units 10–30 staff, the same every time', () => {
    const deps = Array.from({ length: 200 }, (_, i) => ({
      id: i + 1,
      kind: i % 2 ? 'street_office' : 'functional',
    }));
    const a = demoCapacity(deps);
    expect(demoCapacity(deps)).toEqual(a);
    for (const d of deps) {
      const s = a.get(d.id)!;
      if (d.kind === 'street_office') expect(s >= 6 && s <= 12).toBe(true);
      else expect(s >= 10 && s <= 30).toBe(true);
    }
    expect(new Set(a.values()).size).toBeGreaterThan(5);
  });
});

describe('allocationAllows', () => {
  it('lets staff see nothing, officers look, leaders decide and admins edit capacity', () => {
    expect(allocationAllows('staff', 'view')).toBe(false);
    expect(allocationAllows('display', 'view')).toBe(false);
    expect(allocationAllows('officer', 'view')).toBe(true);
    expect(allocationAllows('officer', 'decide')).toBe(false);
    expect(allocationAllows('leader', 'decide')).toBe(true);
    expect(allocationAllows('leader', 'capacity')).toBe(false);
    expect(allocationAllows('admin', 'capacity')).toBe(true);
  });
});

describe('planAllocation', () => {
  // Day 20000 is 2024-10-04; 28 days of history. Office 11 gets 2 cases a day, office 12 gets 10.
  const days = 28;
  const firstDay = 20000;
  const range = Array.from({ length: days }, (_, i) => firstDay + i);
  const data: AllocationData = {
    firstDay,
    days,
    units: [
      {
        departmentId: 11,
        code: 'a',
        name: 'A office',
        nameEn: 'A',
        kind: 'street_office',
        streetId: 1,
        districtId: 1,
        storedStaff: 10,
      },
      {
        departmentId: 12,
        code: 'b',
        name: 'B office',
        nameEn: 'B',
        kind: 'street_office',
        streetId: 2,
        districtId: 1,
        storedStaff: 4,
      },
      {
        departmentId: 13,
        code: 'c',
        name: 'Police',
        nameEn: 'P',
        kind: 'functional',
        streetId: null,
        districtId: 1,
        storedStaff: null,
      },
    ],
    casesByUnitDay: [
      ...range.map((day) => ({ departmentId: 11, day, n: 2 })),
      ...range.map((day) => ({ departmentId: 12, day, n: 10 })),
      { departmentId: 12, day: firstDay - 1, n: 500 }, // outside the window: ignored
    ],
    performance: [
      { departmentId: 11, resolved: 50, onTime: 45, handlingHours: 16, backlog: 0 },
      { departmentId: 12, resolved: 100, onTime: 60, handlingHours: 16, backlog: 20 },
    ],
    streets: [
      { streetId: 1, name: '甲街道', nameEn: 'A' },
      { streetId: 2, name: '乙街道', nameEn: 'B' },
      { streetId: 3, name: '丙街道', nameEn: 'C' },
    ],
    casesByStreetGroupDay: [
      ...range.map((day) => ({ streetId: 2, group: 'city', day, n: 7 })),
      ...range.map((day) => ({ streetId: 2, group: 'transport', day, n: 3 })),
    ],
    ticketsByStreetDay: range.map((day) => ({ streetId: 2, day, n: 12 })),
    cellHours: [],
  };
  const plan = planAllocation(data, { ...DEFAULT_PLAN_OPTIONS, utilisation: 0.5 });

  it('builds unit loads from forecasts, capacity and performance', () => {
    const b = plan.units.find((u) => u.departmentId === 12)!;
    // Effort 16 h × 0.25 = 4 h; demand 70 + 20/2 = 80/week = 320 h against 4 × 20 = 80 h.
    expect(b).toMatchObject({
      staff: 4,
      capacitySource: 'stored',
      forecastCasesPerWeek: 70,
      backlog: 20,
      onTimeRate: 0.6,
      effortHoursPerCase: 4,
      demandCasesPerWeek: 80,
      demandHoursPerWeek: 320,
      capacityHoursPerWeek: 80,
      throughputCasesPerWeek: 20,
      load: 4,
    });
    // Overdue/week (80 − 20) + 0.4 × 20 = 68, over 2 weeks 136.
    expect(b.expectedOverdue).toBe(136);
    expect(plan.units[0].departmentId).toBe(12); // most loaded first
    const police = plan.units.find((u) => u.departmentId === 13)!;
    expect(police).toMatchObject({ capacitySource: 'demo', forecastCasesPerWeek: 0, onTimeRate: null });
    expect(police.onTimeRate).toBeNull();
    expect(plan.inputs.find((u) => u.departmentId === 13)!.onTimeRate).toBeCloseTo(0.75, 9); // mean of 0.9 and 0.6
  });

  it('recommends moving staff from A to B and nothing for the functional unit', () => {
    expect(plan.recommendations).toHaveLength(1);
    // 5 staff save 15/week; 2 more save 6/week; a third would push A below its 14 cases/week.
    expect(plan.recommendations[0]).toMatchObject({
      fromDepartmentId: 11,
      toDepartmentId: 12,
      staff: 7,
      reduction: 42,
    });
  });

  it('reports weekly street demand with a forecast and per-group split', () => {
    expect(plan.demandByStreet.map((s) => s.streetId)).toEqual([2]);
    const [street] = plan.demandByStreet;
    expect(street.weeks.map((w) => w.week)).toEqual([
      '2024-10-04',
      '2024-10-11',
      '2024-10-18',
      '2024-10-25',
      '2024-11-01',
      '2024-11-08',
    ]);
    expect(street.weeks[0]).toMatchObject({ actual: 70, tickets: 84, forecast: null });
    expect(street.weeks[4]).toMatchObject({ actual: null, forecast: 70 });
    expect(street.groups).toEqual([
      { group: 'city', lastWeek: 49, forecastNextWeek: 49 },
      { group: 'transport', lastWeek: 21, forecastNextWeek: 21 },
    ]);
  });
});
