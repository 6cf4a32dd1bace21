// Pure helpers of the allocation page: number formats, which units and street to show first, label
// truncation for the SVG charts, and matching a recommendation to a recorded decision.
import type {
  AllocationDecision,
  NightPatrolRecommendation,
  Recommendation,
  StreetDemand,
  UnitLoad,
} from '$lib/api/allocation';
import type { I18n } from '$lib/i18n';

const ONE_DECIMAL = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

/** Hours and case counts with one decimal and digit grouping ("1,234.5", alike in both languages). */
export function oneDecimal(n: number): string {
  return ONE_DECIMAL.format(Math.round(n * 10) / 10);
}

/** What a night-patrol cell is called: its street and number, as the case page names grid cells. */
export function patrolCellName(
  i18n: Pick<I18n, 't' | 'name' | 'int'>,
  p: Pick<NightPatrolRecommendation, 'cellNumber' | 'street' | 'streetEn' | 'gridCellId'>,
): string {
  const n = i18n.int(p.cellNumber ?? p.gridCellId);
  return p.street
    ? i18n.t('gridCell.name', { street: i18n.name(p.street, p.streetEn), n })
    : i18n.t('gridCell.unnamed', { n });
}

/**
 * A unit's load as a number. The server's load is Infinity for a unit with demand and no staff, which JSON
 * carries as null: read null back as Infinity (a unit without demand has load 0, never null).
 */
export function asLoad(load: number | null): number {
  return load === null || Number.isNaN(load) ? Infinity : load;
}

/** A share 0–1 as a percentage: one decimal under 10 %, whole above; an infinite load as ∞. */
export function percent(rate: number | null): string {
  if (rate === Infinity) return '∞';
  if (rate === null || !Number.isFinite(rate)) return '—';
  const p = rate * 100;
  return p > 0 && p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

const descending = (a: number, b: number) => (a === b ? 0 : a > b ? -1 : 1);

/** The `n` units with the highest load; ties by demand hours, then name, so the order is stable. */
export function topByLoad(units: readonly UnitLoad[], n: number): UnitLoad[] {
  return [...units]
    .sort(
      (a, b) =>
        descending(asLoad(a.load), asLoad(b.load)) ||
        descending(a.demandHoursPerWeek, b.demandHoursPerWeek) ||
        a.name.localeCompare(b.name),
    )
    .slice(0, n);
}

/** The street with most cases over its observed weeks (tickets break ties); null when there is none. */
export function busiestStreet(streets: readonly StreetDemand[]): number | null {
  let best: { id: number; cases: number; tickets: number } | null = null;
  for (const s of streets) {
    const cases = s.weeks.reduce((a, w) => a + (w.actual ?? 0), 0);
    const tickets = s.weeks.reduce((a, w) => a + (w.tickets ?? 0), 0);
    if (!best || cases > best.cases || (cases === best.cases && tickets > best.tickets)) {
      best = { id: s.streetId, cases, tickets };
    }
  }
  return best?.id ?? null;
}

/** Rough width of `text` in pixels at `fontPx`: CJK and full-width characters are square, others ~0.6 em. */
export function textWidth(text: string, fontPx: number): number {
  let w = 0;
  for (const ch of text) w += /[\u2E80-\uFFEF]/.test(ch) ? fontPx : fontPx * 0.6;
  return w;
}

/** `text` cut with an ellipsis so that it fits in `maxPx` at `fontPx` (the chart's full name goes in a title). */
export function truncateLabel(text: string, maxPx: number, fontPx: number): string {
  if (textWidth(text, fontPx) <= maxPx) return text;
  const room = maxPx - textWidth('…', fontPx);
  let out = '';
  for (const ch of text) {
    if (textWidth(out + ch, fontPx) > room) break;
    out += ch;
  }
  return `${out}…`;
}

/** What makes two recommendations the same decision: the move's units and size, or the patrol's cell. */
export function recommendationKey(r: Recommendation): string {
  return r.kind === 'move'
    ? `move:${r.fromDepartmentId}>${r.toDepartmentId}:${r.staff}:${r.weeks}`
    : `night_patrol:${r.gridCellId}`;
}

/** The newest decision per recommendation key (the list arrives newest first). */
export function decisionsByKey(decisions: readonly AllocationDecision[]): Map<string, AllocationDecision> {
  const out = new Map<string, AllocationDecision>();
  for (const d of decisions) {
    const key = recommendationKey(d.payload);
    if (!out.has(key)) out.set(key, d);
  }
  return out;
}

/** The what-if rows whose tried staff differs from the unit's current staff. */
export function changedStaff(
  units: readonly UnitLoad[],
  tried: Readonly<Record<number, number | null | undefined>>,
): { departmentId: number; staff: number }[] {
  const out: { departmentId: number; staff: number }[] = [];
  for (const u of units) {
    const staff = tried[u.departmentId];
    if (staff === null || staff === undefined || Number.isNaN(staff) || staff === u.staff) continue;
    out.push({ departmentId: u.departmentId, staff });
  }
  return out;
}
