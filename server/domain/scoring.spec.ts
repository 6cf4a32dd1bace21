// Scores under a scheme: rate and penalty items worked by hand, rounding that keeps the explanations
// adding up to the score, and schemes refused with the item named.
import { describe, expect, it } from 'vitest';
import type { Scheme } from '../../src/lib/api/performance';
import { COUNT_KPIS, emptyKpis, type CountKpi, type UnitKpis } from './kpis';
import { DEFAULT_SCHEME, score, validateScheme } from './scoring';

/** KPIs with the given counts (case ids 1…n) and rates. */
function kpis(counts: Partial<Record<CountKpi, number>>, rates: Partial<UnitKpis['rates']> = {}): UnitKpis {
  const k = emptyKpis(7);
  let next = 1;
  for (const name of COUNT_KPIS) {
    const n = counts[name] ?? 0;
    k.counts[name] = { count: n, caseIds: Array.from({ length: n }, () => next++) };
  }
  k.rates = { ...k.rates, ...rates };
  return k;
}

const scheme = (items: Scheme['items'], totalPoints = 20): Scheme => ({
  id: 3,
  name: 'test',
  version: 2,
  totalPoints,
  items,
});

describe('score', () => {
  it('earns full points at the target, nothing at the floor, linearly between', () => {
    const s = scheme([
      { kpi: 'resolvedOnTimeRate', kind: 'rate', weight: 10, target: 0.9, floor: 0.5 },
      { kpi: 'satisfactionRate', kind: 'rate', weight: 10, target: 0.9, floor: 0.5 },
    ]);
    // (0.8 − 0.5) / 0.4 × 10 = 7.5; satisfaction at 0.95 ≥ target → 10
    const r = score(
      kpis(
        { resolved: 10, resolvedLate: 2, rated: 20, unsatisfied: 1 },
        { resolvedOnTimeRate: 0.8, satisfactionRate: 0.95 },
      ),
      s,
    );
    expect(r).toMatchObject({ schemeId: 3, schemeVersion: 2, total: 17.5, max: 20 });
    expect(r.items[0]).toMatchObject({ earned: 7.5, lost: 2.5, rate: 0.8, cases: 2, caseIds: [11, 12] });
    expect(r.items[0].explanation).toEqual({
      zh: '−2.5：2 件超期办结（按时办结率 80%，目标 90%）',
      en: '−2.5: 2 cases resolved late (80% resolved on time, target 90%)',
    });
    expect(r.items[1].explanation.en).toBe(
      'full points: 1 unsatisfied ratings (95% satisfied or partly, target 90%)',
    );
  });

  it('gives full points to a rate with nothing to measure', () => {
    const r = score(kpis({}), DEFAULT_SCHEME);
    expect(r.total).toBe(20);
    expect(r.items[0].explanation.zh).toBe('满分：0 件超时签收（按时签收率 无数据，目标 98%）');
  });

  it('takes points per case up to the cap', () => {
    const s = scheme([
      { kpi: 'overdue', kind: 'penalty', weight: 5, perCase: 0.3, cap: 2 },
      { kpi: 'reopened', kind: 'penalty', weight: 15, perCase: 1.5, cap: 15 },
    ]);
    // overdue 9 × 0.3 = 2.7 > cap 2 → −2; reopened 6 × 1.5 = 9 → −9
    const r = score(kpis({ overdue: 9, reopened: 6 }), s);
    expect(r.items.map((i) => [i.earned, i.lost])).toEqual([
      [3, 2],
      [6, 9],
    ]);
    expect(r.items[0].explanation).toEqual({
      zh: '−2：9 件逾期未办结',
      en: '−2: 9 cases overdue and unresolved',
    });
    expect(r.items[0].caseIds).toHaveLength(9);
    expect(r.total).toBe(9);
  });

  it('rounds each item to 0.01 so that the explanations always add up to the score', () => {
    const s = scheme(
      [
        { kpi: 'signedOnTimeRate', kind: 'rate', weight: 3.33, target: 0.97, floor: 0.61 },
        { kpi: 'resolvedOnTimeRate', kind: 'rate', weight: 3.33, target: 0.93, floor: 0.37 },
        { kpi: 'satisfactionRate', kind: 'rate', weight: 3.34, target: 0.99, floor: 0.13 },
        { kpi: 'unsatisfied', kind: 'penalty', weight: 10, perCase: 0.07, cap: 9.99 },
      ],
      20,
    );
    for (let i = 0; i < 200; i++) {
      const r = (x: number) => Math.round(((Math.sin(i * x) + 1) / 2) * 10_000) / 10_000;
      const res = score(
        kpis(
          { unsatisfied: i % 17 },
          { signedOnTimeRate: r(1.1), resolvedOnTimeRate: r(2.3), satisfactionRate: r(3.7) },
        ),
        s,
      );
      const earned = res.items.reduce((n, it) => n + Math.round(it.earned * 100), 0);
      const lost = res.items.reduce((n, it) => n + Math.round(it.lost * 100), 0);
      expect(earned).toBe(Math.round(res.total * 100));
      expect(2000 - lost).toBe(Math.round(res.total * 100));
      for (const it of res.items) expect(Math.round(it.earned * 100) / 100).toBe(it.earned);
    }
  });
});

describe('validateScheme', () => {
  it('accepts the default scheme, whose weights make 20 points', () => {
    expect(validateScheme(DEFAULT_SCHEME)).toBeNull();
    expect(DEFAULT_SCHEME.items.reduce((s, i) => s + i.weight, 0)).toBe(20);
  });

  const bad = (change: (s: Scheme) => void) => {
    const s = structuredClone(DEFAULT_SCHEME);
    change(s);
    return validateScheme(s);
  };

  it('refuses weights that do not add up to totalPoints', () => {
    expect(bad((s) => (s.items[0].weight = 3))).toBe('item weights add up to 21, but totalPoints is 20');
    expect(bad((s) => (s.totalPoints = 0))).toMatch(/totalPoints/);
  });

  it('refuses an unknown KPI, naming the item', () => {
    expect(bad((s) => (s.items[2].kpi = 'happiness'))).toMatch(/^item 3 \("happiness"\): unknown count KPI/);
    expect(bad((s) => (s.items[0].kpi = 'overdue'))).toMatch(/^item 1 \("overdue"\): unknown rate KPI/);
  });

  it('refuses negative caps, caps above the weight, and bad rate bounds', () => {
    expect(bad((s) => (s.items[2].cap = -1))).toBe('item 3 ("overdue"): cap must be a number of 0 or more');
    expect(bad((s) => (s.items[2].cap = 2.5))).toBe('item 3 ("overdue"): cap must not exceed the weight (2)');
    expect(bad((s) => (s.items[2].perCase = 0))).toMatch(/item 3 .*perCase/);
    expect(bad((s) => (s.items[1].floor = 0.96))).toBe(
      'item 2 ("resolvedOnTimeRate"): floor must be below target',
    );
    expect(bad((s) => (s.items[1].target = 1.5))).toMatch(/item 2 .*target/);
    expect(bad((s) => (s.items[1].weight = -4))).toMatch(/item 2 .*weight must be a number above 0/);
    expect(bad((s) => (s.items[1].weight = 4.001))).toMatch(/item 2 .*multiple of 0.01/);
  });

  it('refuses a missing kind, duplicate items, an empty list and a missing name', () => {
    expect(bad((s) => ((s.items[0] as { kind: string }).kind = 'bonus'))).toMatch(/item 1 .*kind/);
    expect(bad((s) => s.items.push({ ...s.items[2] }))).toMatch(/item 8 .*twice/);
    expect(bad((s) => (s.items = []))).toMatch(/at least one item/);
    expect(bad((s) => (s.name = ' '))).toMatch(/name/);
    expect(validateScheme(null)).toMatch(/object/);
  });
});
