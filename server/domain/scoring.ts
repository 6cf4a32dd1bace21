// Department scores from KPIs under a scheme that is configuration, not code. Pure. Every item's points are
// computed in whole hundredths, so the items' earned points add up to the total exactly and the points
// lost, each explained with the cases that cost them, add up to totalPoints − total.
import type { Scheme, SchemeItem, Score, ScoreItem } from '../../src/lib/api/performance';
import { COUNT_KPIS, RATE_KPIS, RATE_PARTS, type CountKpi, type RateKpi, type UnitKpis } from './kpis';

export type { Scheme, SchemeItem, Score, ScoreItem };

/**
 * The default: 20 points in the spirit of the national 12345 hotline evaluation (GB/T 33357), which judges
 * timeliness, resolution and satisfaction. Timeliness 8 (signing 2, resolution on time 4, overdue 2),
 * resolution 5 (unjustified returns 2, reopened 3), satisfaction 7 (satisfied + partly share 5,
 * unsatisfied ratings 2).
 */
export const DEFAULT_SCHEME: Scheme = {
  id: null,
  name: '12345 热线考核（默认）',
  version: 1,
  totalPoints: 20,
  items: [
    { kpi: 'signedOnTimeRate', kind: 'rate', weight: 2, target: 0.98, floor: 0.8 },
    { kpi: 'resolvedOnTimeRate', kind: 'rate', weight: 4, target: 0.95, floor: 0.7 },
    { kpi: 'overdue', kind: 'penalty', weight: 2, perCase: 0.2, cap: 2 },
    { kpi: 'unjustifiedReturns', kind: 'penalty', weight: 2, perCase: 0.5, cap: 2 },
    { kpi: 'reopened', kind: 'penalty', weight: 3, perCase: 0.5, cap: 3 },
    { kpi: 'satisfactionRate', kind: 'rate', weight: 5, target: 0.95, floor: 0.6 },
    { kpi: 'unsatisfied', kind: 'penalty', weight: 2, perCase: 0.25, cap: 2 },
  ],
};

/** How each KPI's failing cases read in an explanation: "9 件超期办结" / "9 cases resolved late". */
const FAILURE_WORDS: Record<CountKpi | RateKpi, { zh: string; en: string }> = {
  received: { zh: '件受理', en: 'cases received' },
  signedOnTime: { zh: '件按时签收', en: 'cases signed on time' },
  signedLate: { zh: '件超时签收', en: 'cases signed late' },
  resolved: { zh: '件办结', en: 'cases resolved' },
  resolvedOnTime: { zh: '件按时办结', en: 'cases resolved on time' },
  resolvedLate: { zh: '件超期办结', en: 'cases resolved late' },
  overdue: { zh: '件逾期未办结', en: 'cases overdue and unresolved' },
  returned: { zh: '件退单', en: 'cases returned' },
  unjustifiedReturns: { zh: '件不当退单', en: 'unjustified returns' },
  extensionsRequested: { zh: '次申请延期', en: 'extension requests' },
  extensionsApproved: { zh: '次批准延期', en: 'extensions approved' },
  reopened: { zh: '件重办', en: 'cases reopened' },
  rated: { zh: '件已评价', en: 'cases rated' },
  satisfied: { zh: '件满意', en: 'satisfied ratings' },
  partly: { zh: '件基本满意', en: 'partly satisfied ratings' },
  unsatisfied: { zh: '件不满意', en: 'unsatisfied ratings' },
  signedOnTimeRate: { zh: '件超时签收', en: 'cases signed late' },
  resolvedOnTimeRate: { zh: '件超期办结', en: 'cases resolved late' },
  satisfactionRate: { zh: '件不满意', en: 'unsatisfied ratings' },
};

const RATE_WORDS: Record<RateKpi, { zh: string; en: string }> = {
  signedOnTimeRate: { zh: '按时签收率', en: 'signed on time' },
  resolvedOnTimeRate: { zh: '按时办结率', en: 'resolved on time' },
  satisfactionRate: { zh: '满意率', en: 'satisfied or partly' },
};

const isRateKpi = (k: string): k is RateKpi => (RATE_KPIS as readonly string[]).includes(k);
const isCountKpi = (k: string): k is CountKpi => (COUNT_KPIS as readonly string[]).includes(k);
const cents = (x: number) => Math.round(x * 100);
const isCents = (x: number) => Math.abs(x * 100 - Math.round(x * 100)) < 1e-9;
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Why a scheme cannot be used, naming the item; null when it is sound. */
export function validateScheme(s: unknown): string | null {
  if (typeof s !== 'object' || s === null) return 'the scheme must be an object';
  const scheme = s as Partial<Scheme>;
  if (typeof scheme.name !== 'string' || scheme.name.trim() === '' || scheme.name.length > 200)
    return 'name must be 1–200 characters';
  if (!finite(scheme.totalPoints) || scheme.totalPoints <= 0 || scheme.totalPoints > 100)
    return 'totalPoints must be a number above 0 and at most 100';
  if (!isCents(scheme.totalPoints)) return 'totalPoints must be a multiple of 0.01';
  if (!Array.isArray(scheme.items) || scheme.items.length === 0) return 'items must list at least one item';
  if (scheme.items.length > 50) return 'items must list at most 50 items';
  const seen = new Set<string>();
  let sum = 0;
  for (const [i, raw] of scheme.items.entries()) {
    const it = (raw ?? {}) as Partial<SchemeItem>;
    const name = `item ${i + 1} (${typeof it.kpi === 'string' ? `"${it.kpi.slice(0, 40)}"` : 'no kpi'})`;
    if (typeof it.kpi !== 'string') return `${name}: kpi must be a KPI name`;
    if (it.kind !== 'rate' && it.kind !== 'penalty') return `${name}: kind must be "rate" or "penalty"`;
    if (it.kind === 'rate' && !isRateKpi(it.kpi))
      return `${name}: unknown rate KPI; rate items use one of ${RATE_KPIS.join(', ')}`;
    if (it.kind === 'penalty' && !isCountKpi(it.kpi))
      return `${name}: unknown count KPI; penalty items use one of ${COUNT_KPIS.join(', ')}`;
    if (seen.has(`${it.kind}:${it.kpi}`)) return `${name}: the same KPI and kind appear twice`;
    seen.add(`${it.kind}:${it.kpi}`);
    if (!finite(it.weight) || it.weight <= 0) return `${name}: weight must be a number above 0`;
    if (!isCents(it.weight)) return `${name}: weight must be a multiple of 0.01`;
    if (it.kind === 'rate') {
      if (!finite(it.target) || it.target <= 0 || it.target > 1)
        return `${name}: target must be a share above 0 and at most 1`;
      if (!finite(it.floor) || it.floor < 0) return `${name}: floor must be a share of 0 or more`;
      if (it.floor >= it.target) return `${name}: floor must be below target`;
    } else {
      if (!finite(it.perCase) || it.perCase <= 0) return `${name}: perCase must be a number above 0`;
      if (!finite(it.cap) || it.cap < 0) return `${name}: cap must be a number of 0 or more`;
      if (it.cap > it.weight) return `${name}: cap must not exceed the weight (${it.weight})`;
    }
    sum += cents(it.weight);
  }
  if (sum !== cents(scheme.totalPoints))
    return `item weights add up to ${sum / 100}, but totalPoints is ${scheme.totalPoints}`;
  return null;
}

/** "1.5", "2", "0.25": points without trailing zeros. */
const pts = (c: number) => String(c / 100);
const pct = (r: number) => `${Math.round(r * 1000) / 10}%`;

/** Scores one unit's KPIs under a (valid) scheme. */
export function score(k: UnitKpis, scheme: Scheme): Score {
  let total = 0;
  const items = scheme.items.map((it): ScoreItem => {
    const maxC = cents(it.weight);
    let earnedC: number;
    let rate: number | null = null;
    let failing: CountKpi;
    if (it.kind === 'rate') {
      const kpi = it.kpi as RateKpi;
      failing = RATE_PARTS[kpi].failures;
      rate = k.rates[kpi];
      const target = it.target!;
      const floor = it.floor!;
      const share = rate === null ? 1 : Math.min(1, Math.max(0, (rate - floor) / (target - floor)));
      earnedC = Math.round(maxC * share);
    } else {
      failing = it.kpi as CountKpi;
      const lostC = Math.min(cents(it.cap!), Math.round(k.counts[failing].count * it.perCase! * 100));
      earnedC = maxC - lostC;
    }
    earnedC = Math.min(maxC, Math.max(0, earnedC));
    total += earnedC;
    const lostC = maxC - earnedC;
    const caseIds = k.counts[failing].caseIds;
    const words = FAILURE_WORDS[it.kpi as CountKpi | RateKpi];
    const head =
      lostC === 0 ? { zh: '满分', en: 'full points' } : { zh: `−${pts(lostC)}`, en: `−${pts(lostC)}` };
    const detail =
      it.kind === 'rate'
        ? {
            zh: `（${RATE_WORDS[it.kpi as RateKpi].zh} ${rate === null ? '无数据' : pct(rate)}，目标 ${pct(it.target!)}）`,
            en: ` (${rate === null ? 'nothing measured' : pct(rate)} ${RATE_WORDS[it.kpi as RateKpi].en}, target ${pct(it.target!)})`,
          }
        : { zh: '', en: '' };
    return {
      kpi: it.kpi,
      kind: it.kind,
      earned: earnedC / 100,
      max: maxC / 100,
      lost: lostC / 100,
      rate,
      cases: caseIds.length,
      caseIds,
      explanation: {
        zh: `${head.zh}：${caseIds.length} ${words.zh}${detail.zh}`,
        en: `${head.en}: ${caseIds.length} ${words.en}${detail.en}`,
      },
    };
  });
  return {
    schemeId: scheme.id,
    schemeVersion: scheme.version,
    total: total / 100,
    max: cents(scheme.totalPoints) / 100,
    items,
  };
}
