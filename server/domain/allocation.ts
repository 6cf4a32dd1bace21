// Resource allocation arithmetic: a unit's weekly load against its staff, the overdue cases that load is
// expected to cause, staff moves that lower it, what-if projections and night-patrol hints. Pure: the
// numbers come in, the plan goes out, so every recommendation can be recomputed by hand.
import type {
  AllocationResponse,
  DemandWeek,
  MoveRecommendation,
  MoveSide,
  NightPatrolRecommendation,
  StreetDemand,
  UnitLoad,
  WhatIfResponse,
} from '../../src/lib/api/allocation';
import { SEASON, forecastDaily, weeklyForecast, weeklySums, type WeeklyForecast } from './forecast';
import { hashSeed } from './random';
import type { Role } from './roles';

/** The model's knobs (see AllocationAssumptions in src/lib/api/allocation.ts). */
export interface AllocationOptions {
  horizonWeeks: number;
  hoursPerStaff: number;
  utilisation: number;
  minStaff: number;
  maxStaffPerMove: number;
  /** Most moves one plan proposes. */
  maxMoves: number;
}

export const DEFAULT_ALLOCATION_OPTIONS: AllocationOptions = {
  horizonWeeks: 2,
  hoursPerStaff: 40,
  utilisation: 0.7,
  minStaff: 2,
  maxStaffPerMove: 5,
  maxMoves: 10,
};

/** What the model needs to know about one department or street office. */
export interface UnitInput {
  departmentId: number;
  name: string;
  /** Units in the same pool may lend staff to each other (street offices of one district); null: none. */
  pool: string | null;
  staff: number;
  /** Forecast new cases per week over the horizon. */
  forecastCasesPerWeek: number;
  /** Share of recent cases resolved by their deadline, 0–1. */
  onTimeRate: number;
  /** Staff hours one case takes. */
  effortHoursPerCase: number;
  /** Cases open now. */
  backlog: number;
}

/** A unit's load at a given staffing. */
export interface LoadFigures {
  /** Forecast plus backlog spread over the horizon, cases per week. */
  demandCasesPerWeek: number;
  demandHoursPerWeek: number;
  capacityHoursPerWeek: number;
  throughputCasesPerWeek: number;
  /** Demand hours ÷ capacity hours (Infinity with demand and no capacity, 0 without demand). */
  load: number;
  /** Expected overdue cases over the horizon. */
  expectedOverdue: number;
}

/**
 * The load of `unit` with `staff` staff. Expected overdue per week is a fluid queue approximation:
 * demand beyond throughput waits past its deadline, max(0, demand − throughput), and of the cases that
 * are worked, the unit's usual late share, (1 − onTimeRate) × min(demand, throughput), still runs late.
 * The usual late share was measured under the old load, so an overloaded unit's lateness counts partly
 * twice: the figure leans pessimistic for units already behind.
 */
export function unitLoad(unit: UnitInput, staff: number, opts: AllocationOptions): LoadFigures {
  const demand = unit.forecastCasesPerWeek + unit.backlog / opts.horizonWeeks;
  const capacityHours = staff * opts.hoursPerStaff * opts.utilisation;
  const demandHours = demand * unit.effortHoursPerCase;
  const throughput = unit.effortHoursPerCase > 0 ? capacityHours / unit.effortHoursPerCase : Infinity;
  const lateShare = 1 - Math.min(1, Math.max(0, unit.onTimeRate));
  const perWeek = Math.max(0, demand - throughput) + lateShare * Math.min(demand, throughput);
  return {
    demandCasesPerWeek: demand,
    demandHoursPerWeek: demandHours,
    capacityHoursPerWeek: capacityHours,
    throughputCasesPerWeek: throughput,
    load: demandHours === 0 ? 0 : capacityHours === 0 ? Infinity : demandHours / capacityHours,
    expectedOverdue: perWeek * opts.horizonWeeks,
  };
}

const EPS = 1e-9;
const round = (v: number, digits = 2) =>
  Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v;

function side(unit: UnitInput, before: number, after: number, opts: AllocationOptions): MoveSide {
  const b = unitLoad(unit, before, opts);
  const a = unitLoad(unit, after, opts);
  return {
    departmentId: unit.departmentId,
    name: unit.name,
    staffBefore: before,
    staffAfter: after,
    demandCasesPerWeek: round(b.demandCasesPerWeek),
    throughputBefore: round(b.throughputCasesPerWeek),
    throughputAfter: round(a.throughputCasesPerWeek),
    overdueBefore: round(b.expectedOverdue),
    overdueAfter: round(a.expectedOverdue),
  };
}

function moveReason(m: MoveRecommendation): string {
  const { from, to } = m;
  return (
    `${to.name} expects ${to.demandCasesPerWeek} cases/week against a throughput of ${to.throughputBefore}; ` +
    `${from.name} expects ${from.demandCasesPerWeek} against ${from.throughputBefore}. Moving ${m.staff} staff ` +
    `for ${m.weeks} weeks cuts expected overdue from ${m.expectedOverdueBefore} to ${m.expectedOverdueAfter}.`
  );
}

/**
 * Staff moves that lower total expected overdue, largest reduction first. Greedy: each round tries every
 * pair of units in one pool and 1…maxStaffPerMove staff, and applies the move that lowers the pair's
 * expected overdue most (ties: fewer staff, then the donor with more spare hours); it stops when no move
 * helps. A unit never drops below `minStaff`, and a unit that gave staff never receives any (and the
 * reverse), so moves do not chain. Repeated moves between the same pair are merged into one.
 */
export function recommendMoves(units: readonly UnitInput[], opts: AllocationOptions): MoveRecommendation[] {
  const staff = new Map(units.map((u) => [u.departmentId, u.staff]));
  const overdue = (u: UnitInput, s: number) => unitLoad(u, s, opts).expectedOverdue;
  const spareHours = (u: UnitInput) => {
    const l = unitLoad(u, staff.get(u.departmentId)!, opts);
    return l.capacityHoursPerWeek - l.demandHoursPerWeek;
  };
  const donors = new Set<number>();
  const receivers = new Set<number>();
  const moves = new Map<
    string,
    { from: UnitInput; to: UnitInput; staff: number; fromStart: number; toStart: number }
  >();
  const pooled = units.filter((u) => u.pool !== null);
  const byPool = new Map<string | null, UnitInput[]>();
  for (const u of pooled) byPool.set(u.pool, [...(byPool.get(u.pool) ?? []), u]);

  for (let round_ = 0; round_ < opts.maxMoves; round_++) {
    let best: { from: UnitInput; to: UnitInput; s: number; reduction: number; spare: number } | null = null;
    for (const to of pooled) {
      if (donors.has(to.departmentId)) continue;
      const st = staff.get(to.departmentId)!;
      const toBefore = overdue(to, st);
      if (toBefore <= EPS) continue;
      for (const from of byPool.get(to.pool)!) {
        if (from === to || receivers.has(from.departmentId)) continue;
        const sf = staff.get(from.departmentId)!;
        const fromBefore = overdue(from, sf);
        const spare = spareHours(from);
        for (let s = 1; s <= Math.min(opts.maxStaffPerMove, sf - opts.minStaff); s++) {
          const reduction = fromBefore + toBefore - overdue(from, sf - s) - overdue(to, st + s);
          if (reduction <= EPS) continue;
          const better =
            !best ||
            reduction > best.reduction + EPS ||
            (Math.abs(reduction - best.reduction) <= EPS &&
              (s < best.s || (s === best.s && spare > best.spare + EPS)));
          if (better) best = { from, to, s, reduction, spare };
        }
      }
    }
    if (!best) break;
    const key = `${best.from.departmentId}>${best.to.departmentId}`;
    const fromStaff = staff.get(best.from.departmentId)!;
    const toStaff = staff.get(best.to.departmentId)!;
    const existing = moves.get(key);
    if (existing) existing.staff += best.s;
    else
      moves.set(key, { from: best.from, to: best.to, staff: best.s, fromStart: fromStaff, toStart: toStaff });
    staff.set(best.from.departmentId, fromStaff - best.s);
    staff.set(best.to.departmentId, toStaff + best.s);
    donors.add(best.from.departmentId);
    receivers.add(best.to.departmentId);
  }

  const out = [...moves.values()].map((m): MoveRecommendation => {
    const from = side(m.from, m.fromStart, m.fromStart - m.staff, opts);
    const to = side(m.to, m.toStart, m.toStart + m.staff, opts);
    const before = round(from.overdueBefore + to.overdueBefore);
    const after = round(from.overdueAfter + to.overdueAfter);
    const rec: MoveRecommendation = {
      kind: 'move',
      fromDepartmentId: m.from.departmentId,
      toDepartmentId: m.to.departmentId,
      staff: m.staff,
      weeks: opts.horizonWeeks,
      expectedOverdueBefore: before,
      expectedOverdueAfter: after,
      reduction: round(before - after),
      from,
      to,
      reason: '',
    };
    rec.reason = moveReason(rec);
    return rec;
  });
  return out.sort((a, b) => b.reduction - a.reduction || a.toDepartmentId - b.toDepartmentId);
}

/** What-if: the projection of new staff numbers; unknown department ids are listed, not guessed. */
export function whatIf(
  units: readonly UnitInput[],
  changes: readonly { departmentId: number; staff: number }[],
  opts: AllocationOptions,
): WhatIfResponse & { unknownDepartmentIds: number[] } {
  const byId = new Map(units.map((u) => [u.departmentId, u]));
  const next = new Map(changes.map((c) => [c.departmentId, c.staff]));
  const unknownDepartmentIds = [...next.keys()].filter((id) => !byId.has(id));
  let totalBefore = 0;
  let totalAfter = 0;
  for (const u of units) {
    totalBefore += unitLoad(u, u.staff, opts).expectedOverdue;
    totalAfter += unitLoad(u, next.get(u.departmentId) ?? u.staff, opts).expectedOverdue;
  }
  const changed = units
    .filter((u) => next.has(u.departmentId))
    .map((u) => {
      const after = next.get(u.departmentId)!;
      const b = unitLoad(u, u.staff, opts);
      const a = unitLoad(u, after, opts);
      return {
        departmentId: u.departmentId,
        name: u.name,
        staffBefore: u.staff,
        staffAfter: after,
        overdueBefore: round(b.expectedOverdue),
        overdueAfter: round(a.expectedOverdue),
        loadBefore: wireLoad(b.load),
        loadAfter: wireLoad(a.load),
      };
    });
  return {
    horizonWeeks: opts.horizonWeeks,
    units: changed,
    totalBefore: round(totalBefore),
    totalAfter: round(totalAfter),
    // From the rounded totals, so the three numbers shown add up.
    reduction: round(round(totalBefore) - round(totalAfter)),
    unknownDepartmentIds,
  };
}

/** Reports per hour of day (Shanghai time, 0–23) in one grid cell. */
export interface CellHours {
  gridCellId: number;
  cell: string;
  streetId: number | null;
  /** The cell's number inside its street, what people read instead of the code. */
  cellNumber?: number | null;
  /** The street's Chinese and English names. */
  street?: string | null;
  streetEn?: string | null;
  /** 24 counts, index = hour of day. */
  hours: readonly number[];
}

/** 22:00–02:00: the hours 22, 23, 0 and 1. */
export const NIGHT_HOURS = [22, 23, 0, 1] as const;

/** When a cell is worth a night patrol. */
export interface NightPatrolOptions {
  /** Fewest night reports over the look-back period. */
  minCount: number;
  /** Smallest night share; with reports spread evenly over the day it would be 4/24 ≈ 0.17. */
  minShare: number;
  /** Most cells returned. */
  limit: number;
}

export const DEFAULT_NIGHT_PATROL_OPTIONS: NightPatrolOptions = { minCount: 8, minShare: 0.35, limit: 20 };

/** Cells where night reports are both many and a large share: most night reports first. */
export function nightPatrols(
  cells: readonly CellHours[],
  opts: NightPatrolOptions = DEFAULT_NIGHT_PATROL_OPTIONS,
): NightPatrolRecommendation[] {
  return cells
    .map((c) => {
      const count = NIGHT_HOURS.reduce((a: number, h) => a + (c.hours[h] ?? 0), 0);
      const total = c.hours.reduce((a, b) => a + b, 0);
      return { c, count, total, share: total ? count / total : 0 };
    })
    .filter((x) => x.count >= opts.minCount && x.share >= opts.minShare)
    .sort((a, b) => b.count - a.count || b.share - a.share || a.c.gridCellId - b.c.gridCellId)
    .slice(0, opts.limit)
    .map(({ c, count, total, share }) => ({
      kind: 'night_patrol',
      gridCellId: c.gridCellId,
      cell: c.cell,
      streetId: c.streetId,
      cellNumber: c.cellNumber ?? null,
      street: c.street ?? null,
      streetEn: c.streetEn ?? null,
      window: '22:00–02:00',
      count,
      total,
      share: round(share, 3),
      reason: `${count} of ${total} reports in cell ${c.cell} came between 22:00 and 02:00 (${Math.round(share * 100)} %).`,
    }));
}

/** Demo staff numbers for units without a stored capacity: street offices 6–12, others 10–30, fixed per id. */
export function demoCapacity(departments: readonly { id: number; kind: string }[]): Map<number, number> {
  return new Map(
    departments.map((d) => {
      const h = hashSeed(`capacity:${d.id}`);
      return [d.id, d.kind === 'street_office' ? 6 + (h % 7) : 10 + (h % 21)];
    }),
  );
}

/** What the allocation endpoints let a role do. */
export type AllocationAction = 'view' | 'what_if' | 'decide' | 'capacity';

/** Leaders, duty officers and admins see the plan and try what-ifs; leaders and admins accept; admins edit capacity. */
export function allocationAllows(role: Role, action: AllocationAction): boolean {
  switch (action) {
    case 'view':
    case 'what_if':
      return role === 'leader' || role === 'officer' || role === 'admin';
    case 'decide':
      return role === 'leader' || role === 'admin';
    case 'capacity':
      return role === 'admin';
  }
}

// ——— The plan: from the repository's counts to the GET /api/allocation answer ———

/** Everything the plan is computed from, as the allocation repository reads it. */
export interface AllocationData {
  /** Day number (days since 1970-01-01 in Shanghai time) of the first day of the daily series. */
  firstDay: number;
  /** Length of the daily series; it ends the day before today. */
  days: number;
  units: {
    departmentId: number;
    code: string;
    name: string;
    nameEn: string;
    kind: string;
    streetId: number | null;
    districtId: number | null;
    /** Staff set by an admin; null: none stored (the demo value applies). */
    storedStaff: number | null;
  }[];
  /** Cases created per unit and day. */
  casesByUnitDay: { departmentId: number; day: number; n: number }[];
  /** Recent performance per unit (units without resolved or open cases may be missing). */
  performance: {
    departmentId: number;
    /** Cases resolved in the last 8 weeks that had a deadline. */
    resolved: number;
    /** Of those, resolved by the deadline. */
    onTime: number;
    /** Mean hours from signing to resolution; null when none. */
    handlingHours: number | null;
    /** Cases open now. */
    backlog: number;
  }[];
  streets: { streetId: number; name: string; nameEn: string }[];
  /** Cases created per street, category group and day. */
  casesByStreetGroupDay: { streetId: number; group: string; day: number; n: number }[];
  /** Hotline tickets received per street and day. */
  ticketsByStreetDay: { streetId: number; day: number; n: number }[];
  cellHours: CellHours[];
}

/** The plan's knobs beyond the allocation arithmetic. */
export interface PlanOptions extends AllocationOptions {
  /** Share of the measured sign-to-resolve time that is staff effort. */
  effortShare: number;
  /** Staff hours per case for a unit that resolved nothing recently. */
  defaultEffortHours: number;
  night: NightPatrolOptions;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  ...DEFAULT_ALLOCATION_OPTIONS,
  effortShare: 0.25,
  defaultEffortHours: 4,
  night: DEFAULT_NIGHT_PATROL_OPTIONS,
};

/** The plan, plus the unit inputs a what-if needs. */
export type AllocationPlan = Omit<AllocationResponse, 'generatedAt' | 'assumptions'> & {
  inputs: UnitInput[];
};

const dayLabel = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** Dense daily series keyed by `keyOf`, from sparse (day, n) rows; days outside the window are ignored. */
function dailySeries<R extends { day: number; n: number }, K>(
  rows: readonly R[],
  keyOf: (r: R) => K,
  firstDay: number,
  days: number,
) {
  const out = new Map<K, number[]>();
  for (const r of rows) {
    const i = r.day - firstDay;
    if (i < 0 || i >= days) continue;
    const k = keyOf(r);
    let s = out.get(k);
    if (!s) out.set(k, (s = new Array<number>(days).fill(0)));
    s[i] += r.n;
  }
  return out;
}

function streetDemand(data: AllocationData, opts: PlanOptions): StreetDemand[] {
  const { firstDay, days } = data;
  const cases = dailySeries(data.casesByStreetGroupDay, (r) => r.streetId, firstDay, days);
  const tickets = dailySeries(data.ticketsByStreetDay, (r) => r.streetId, firstDay, days);
  const groups = dailySeries(data.casesByStreetGroupDay, (r) => `${r.streetId}|${r.group}`, firstDay, days);
  const horizon = opts.horizonWeeks * SEASON;
  const blocks = Math.floor(days / SEASON);
  const start = firstDay + days - blocks * SEASON;
  return data.streets
    .filter((s) => cases.has(s.streetId) || tickets.has(s.streetId))
    .map((s) => {
      const series = cases.get(s.streetId) ?? new Array<number>(days).fill(0);
      const actual = weeklySums(series);
      const ticketWeeks = weeklySums(tickets.get(s.streetId) ?? new Array<number>(days).fill(0));
      const ahead = weeklyForecast(forecastDaily(series, horizon));
      const weeks: DemandWeek[] = [
        ...actual.map((n, w) => ({
          week: dayLabel(start + w * SEASON),
          actual: n,
          tickets: ticketWeeks[w],
          forecast: null,
          lower: null,
          upper: null,
        })),
        ...ahead.map((f, w) => ({
          week: dayLabel(firstDay + days + w * SEASON),
          actual: null,
          tickets: null,
          forecast: round(f.mean, 1),
          lower: round(f.lower, 1),
          upper: round(f.upper, 1),
        })),
      ];
      // Per-group series are sparse: the street's forecast is split by each group's share of the last 4 weeks.
      const recent = (xs: number[]) => xs.slice(-4 * SEASON).reduce((a, b) => a + b, 0);
      const streetRecent = recent(series);
      const next = ahead[0]?.mean ?? 0;
      const byGroup = [...groups.entries()]
        .filter(([k]) => k.startsWith(`${s.streetId}|`))
        .map(([k, g]) => ({
          group: k.slice(k.indexOf('|') + 1),
          lastWeek: g.slice(-SEASON).reduce((a, b) => a + b, 0),
          forecastNextWeek: round(streetRecent ? (next * recent(g)) / streetRecent : 0, 1),
        }))
        .sort((a, b) => b.forecastNextWeek - a.forecastNextWeek || a.group.localeCompare(b.group));
      return { streetId: s.streetId, street: s.name, streetEn: s.nameEn, weeks, groups: byGroup };
    });
}

/**
 * The allocation plan: per unit a Holt-Winters forecast of its daily cases over the horizon, its staff
 * (stored, or the demo value), recent on-time rate and effort per case, the load and expected overdue
 * that follow; staff moves between street offices of one district; night-patrol cells; street demand.
 * A unit with no resolved cases borrows the mean on-time rate of those with some (0.9 when none has).
 */
export function planAllocation(
  data: AllocationData,
  opts: PlanOptions = DEFAULT_PLAN_OPTIONS,
): AllocationPlan {
  const demo = demoCapacity(data.units.map((u) => ({ id: u.departmentId, kind: u.kind })));
  const perf = new Map(data.performance.map((p) => [p.departmentId, p]));
  const rated = data.performance.filter((p) => p.resolved > 0);
  const meanOnTime = rated.length ? rated.reduce((a, p) => a + p.onTime / p.resolved, 0) / rated.length : 0.9;
  const series = dailySeries(data.casesByUnitDay, (r) => r.departmentId, data.firstDay, data.days);
  const horizon = opts.horizonWeeks * SEASON;

  const rows = data.units.map((u) => {
    const p = perf.get(u.departmentId);
    const onTimeRate = p && p.resolved > 0 ? p.onTime / p.resolved : null;
    const handlingHours = p?.handlingHours ?? null;
    const s = series.get(u.departmentId);
    const f = s ? forecastDaily(s, horizon) : null;
    const weekly = f ? weeklyForecast(f) : [];
    const avg = (pick: (w: WeeklyForecast) => number) =>
      weekly.length ? weekly.reduce((a, w) => a + pick(w), 0) / weekly.length : 0;
    const input: UnitInput = {
      departmentId: u.departmentId,
      name: u.name,
      pool: u.kind === 'street_office' ? `district:${u.districtId ?? 'none'}` : null,
      staff: u.storedStaff ?? demo.get(u.departmentId)!,
      forecastCasesPerWeek: avg((w) => w.mean),
      onTimeRate: onTimeRate ?? meanOnTime,
      effortHoursPerCase:
        handlingHours !== null && handlingHours > 0
          ? handlingHours * opts.effortShare
          : opts.defaultEffortHours,
      backlog: p?.backlog ?? 0,
    };
    const l = unitLoad(input, input.staff, opts);
    const view: UnitLoad = {
      departmentId: u.departmentId,
      code: u.code,
      name: u.name,
      nameEn: u.nameEn,
      kind: u.kind,
      streetId: u.streetId,
      districtId: u.districtId,
      staff: input.staff,
      capacitySource: u.storedStaff === null ? 'demo' : 'stored',
      forecastCasesPerWeek: round(input.forecastCasesPerWeek, 1),
      forecastLower: round(
        avg((w) => w.lower),
        1,
      ),
      forecastUpper: round(
        avg((w) => w.upper),
        1,
      ),
      backlog: input.backlog,
      onTimeRate: onTimeRate === null ? null : round(onTimeRate, 3),
      handlingHours: handlingHours === null ? null : round(handlingHours, 1),
      effortHoursPerCase: round(input.effortHoursPerCase, 2),
      demandCasesPerWeek: round(l.demandCasesPerWeek, 1),
      demandHoursPerWeek: round(l.demandHoursPerWeek, 1),
      capacityHoursPerWeek: round(l.capacityHoursPerWeek, 1),
      throughputCasesPerWeek: round(l.throughputCasesPerWeek, 1),
      load: wireLoad(l.load),
      expectedOverdue: round(l.expectedOverdue, 1),
    };
    return { input, view, overdue: l.expectedOverdue };
  });

  return {
    inputs: rows.map((r) => r.input),
    units: rows
      .map((r) => r.view)
      .sort((a, b) => (b.load ?? Infinity) - (a.load ?? Infinity) || a.departmentId - b.departmentId),
    totalExpectedOverdue: round(
      rows.reduce((a, r) => a + r.overdue, 0),
      1,
    ),
    recommendations: recommendMoves(
      rows.map((r) => r.input),
      opts,
    ),
    nightPatrols: nightPatrols(data.cellHours, opts.night),
    demandByStreet: streetDemand(data, opts),
  };
}

/** A load for JSON: JSON has no Infinity, so an unstaffed unit with demand is sent as null. */
function wireLoad(load: number): number | null {
  return Number.isFinite(load) ? round(load, 3) : null;
}
