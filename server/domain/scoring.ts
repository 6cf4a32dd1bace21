// Department scores from KPIs under a scheme that is configuration, not code. Pure. Every item's points are
// computed in whole hundredths, so the items' earned points add up to the total exactly and the points
// lost, each explained with the cases that cost them, add up to totalPoints − total.
import type { Scheme, SchemeItem, Score, ScoreItem } from '../../src/lib/api/performance';
import { translate, type Lang, type MessageKey } from '../../src/lib/i18n/translate';
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

/**
 * "−1.5：9 件超期办结" / "−1.5: 9 cases resolved late", worded by the i18n catalogue. Both languages are
 * kept with the score, so a stored snapshot reads the same later.
 */
function explain(lang: Lang, it: SchemeItem, lostC: number, cases: number, rate: number | null): string {
  const t = (key: string, params?: Record<string, string | number>) =>
    translate(lang, key as MessageKey, params);
  const detail =
    it.kind === 'rate'
      ? t('performance.explain.rateDetail', {
          rate: rate === null ? t('performance.explain.noRate') : pct(rate),
          rateName: t(`performance.explain.rate.${it.kpi}`),
          target: pct(it.target!),
        })
      : '';
  return t('performance.explain.item', {
    head: lostC === 0 ? t('performance.explain.full') : `−${pts(lostC)}`,
    failures: t(`performance.explain.fail.${it.kpi}`, { n: cases }),
    detail,
  });
}

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
    const explanation = {
      zh: explain('zh-CN', it, lostC, caseIds.length, rate),
      en: explain('en', it, lostC, caseIds.length, rate),
    };
    return {
      kpi: it.kpi,
      kind: it.kind,
      earned: earnedC / 100,
      max: maxC / 100,
      lost: lostC / 100,
      rate,
      cases: caseIds.length,
      caseIds,
      explanation,
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
