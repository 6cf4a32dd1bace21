// Pure helpers of the performance pages: Shanghai months, score deltas, movers, the district's headline
// rates and which units the monthly meeting looks at. No Svelte, no clock reads (pass `now` in).
import type { KpiSummary, PerformanceRanking } from '$lib/api/performance';

/** One ranked unit as the ranking endpoint returns it. */
export type RankedUnit = PerformanceRanking['units'][number];

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
/** Shanghai is UTC+8 all year (no daylight saving). */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Whether `value` is a month written YYYY-MM. */
export function isMonth(value: string | null | undefined): value is string {
  return typeof value === 'string' && MONTH.test(value);
}

/** The month `delta` months after `month` (YYYY-MM; negative goes back). */
export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The running Shanghai calendar month at `now`. */
export function currentMonth(now: Date): string {
  const local = new Date(now.getTime() + SHANGHAI_OFFSET_MS);
  return `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The instant a Shanghai month ends (the next month's first midnight). */
/** The first instant of a Shanghai month ("2026-11" → 2026-10-31T16:00:00Z). */
export function monthStart(month: string): Date {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1) - SHANGHAI_OFFSET_MS);
}

export function monthEnd(month: string): Date {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1) - SHANGHAI_OFFSET_MS);
}

/** The last complete Shanghai month at `now`: what the monthly meeting reviews by default. */
export function lastFullMonth(now: Date): string {
  return addMonths(currentMonth(now), -1);
}

/** A score to one decimal, as the meeting reads it ("18.5"). */
export const points = (v: number): string => (Math.round(v * 10) / 10).toFixed(1);

/** A signed change to one decimal ("+1.2", "−0.5", "±0"). */
export function signed(v: number): string {
  const r = Math.round(v * 10) / 10;
  if (r === 0) return '±0';
  return r > 0 ? `+${r.toFixed(1)}` : `−${Math.abs(r).toFixed(1)}`;
}

/** A share 0–1 as a whole percentage, or a dash when nothing was measured. */
export const percent = (v: number | null): string => (v === null ? '—' : `${Math.round(v * 100)}%`);

/** Change of the score against last month. */
export const deltaMonth = (u: RankedUnit): number => u.score - u.lastMonth.score;

/** Change of the score against the same month a year before. */
export const deltaYear = (u: RankedUnit): number => u.score - u.sameMonthLastYear.score;

/** The units that gained most (`up`) and lost most (`down`), `n` each, leaving out unchanged ones. */
export function movers(units: RankedUnit[], n = 3): { up: RankedUnit[]; down: RankedUnit[] } {
  const moved = units.filter((u) => Math.abs(deltaMonth(u)) >= 0.05);
  const byDelta = [...moved].sort((a, b) => deltaMonth(b) - deltaMonth(a) || a.code.localeCompare(b.code));
  return {
    up: byDelta.filter((u) => deltaMonth(u) > 0).slice(0, n),
    down: byDelta
      .filter((u) => deltaMonth(u) < 0)
      .reverse()
      .slice(0, n),
  };
}

/** The units whose trend the ranking page draws first: the top `n` and the bottom `n`, best first. */
export function trendSet(units: RankedUnit[], n = 5): number[] {
  const ids = [...units.slice(0, n), ...units.slice(Math.max(n, units.length - n))].map(
    (u) => u.departmentId,
  );
  return [...new Set(ids)];
}

/** Why the meeting looks at a unit: its score is below the bar, or it fell most since last month. */
export type FlagReason = 'low' | 'falling';

/**
 * The units the meeting discusses one by one, worst score first: those below `threshold` points and the
 * `fallers` worst movers down; at most `max` of them so the meeting stays short.
 */
export function flaggedUnits(
  units: RankedUnit[],
  threshold: number,
  fallers = 2,
  max = 6,
): { unit: RankedUnit; reasons: FlagReason[] }[] {
  const falling = new Set(movers(units, fallers).down.map((u) => u.departmentId));
  return units
    .map((unit) => {
      const reasons: FlagReason[] = [];
      if (unit.score < threshold) reasons.push('low');
      if (falling.has(unit.departmentId)) reasons.push('falling');
      return { unit, reasons };
    })
    .filter((f) => f.reasons.length > 0)
    .sort((a, b) => a.unit.score - b.unit.score || a.unit.code.localeCompare(b.unit.code))
    .slice(0, max);
}

/** The district's headline numbers: KPIs added up over all units, rates recomputed from the sums. */
export interface Headline {
  received: number;
  resolved: number;
  overdue: number;
  signedOnTimeRate: number | null;
  resolvedOnTimeRate: number | null;
  satisfactionRate: number | null;
}

const share = (good: number, total: number): number | null => (total > 0 ? good / total : null);

/** Adds the units' KPIs up; rates use the same definitions as the server (server/domain/kpis.ts). */
export function headline(kpis: KpiSummary[]): Headline {
  const sum = (k: keyof KpiSummary['counts']) => kpis.reduce((s, x) => s + x.counts[k], 0);
  const signedTotal = sum('signedOnTime') + sum('signedLate');
  return {
    received: sum('received'),
    resolved: sum('resolved'),
    overdue: sum('overdue'),
    signedOnTimeRate: share(signedTotal - sum('signedLate'), signedTotal),
    resolvedOnTimeRate: share(sum('resolved') - sum('resolvedLate'), sum('resolved')),
    satisfactionRate: share(sum('rated') - sum('unsatisfied'), sum('rated')),
  };
}

/** The four KPIs the ranking table and the small multiples show, in that order. */
export const KEY_KPIS = ['signedOnTimeRate', 'resolvedOnTimeRate', 'overdue', 'satisfactionRate'] as const;
export type KeyKpi = (typeof KEY_KPIS)[number];

/** A key KPI's value for one unit: a share 0–1 for rates, a count for overdue. */
export function keyKpi(kpis: KpiSummary, kpi: KeyKpi): number | null {
  return kpi === 'overdue' ? kpis.counts.overdue : kpis.rates[kpi];
}

/** A key KPI formatted for a table cell. */
export const keyKpiText = (kpis: KpiSummary, kpi: KeyKpi): string =>
  kpi === 'overdue' ? String(kpis.counts.overdue) : percent(kpis.rates[kpi]);

/** A unit's name short enough for a chart axis: no district prefix, no "办事处"/"Office" suffix. */
export function shortName(name: string, lang: 'zh-CN' | 'en'): string {
  const short =
    lang === 'en'
      ? name.replace(/ (Office|Government)$/, '').replace(/^(Jing'an|Baoshan|Putuo|Hongkou|Yangpu) /, '')
      : name.replace(/(街道)?(办事处|人民政府)$/, '').replace(/^[\u4e00-\u9fff]{2,3}区(?=.{2})/, '');
  const max = lang === 'en' ? 16 : 7;
  return short.length > max ? `${short.slice(0, max - 1)}…` : short;
}

/** Σ of the items' earned points to 0.01, and whether it equals the total (the page shows both). */
export function itemsSum(items: { earned: number }[], total: number): { sum: number; matches: boolean } {
  const sum = Math.round(items.reduce((s, i) => s + i.earned, 0) * 100) / 100;
  return { sum, matches: Math.abs(sum - total) < 0.005 };
}
