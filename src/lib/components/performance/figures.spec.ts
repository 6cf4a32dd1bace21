import { describe, expect, it } from 'vitest';
import type { KpiSummary } from '$lib/api/performance';
import {
  addMonths,
  currentMonth,
  flaggedUnits,
  headline,
  isMonth,
  itemsSum,
  lastFullMonth,
  monthEnd,
  movers,
  shortName,
  signed,
  trendSet,
  type RankedUnit,
} from './figures';

const kpis = (counts: Partial<KpiSummary['counts']>): KpiSummary =>
  ({
    counts: {
      received: 0,
      signedOnTime: 0,
      signedLate: 0,
      resolved: 0,
      resolvedLate: 0,
      overdue: 0,
      rated: 0,
      unsatisfied: 0,
      ...counts,
    },
    rates: { signedOnTimeRate: null, resolvedOnTimeRate: null, satisfactionRate: null },
    times: {},
  }) as KpiSummary;

const unit = (departmentId: number, score: number, last: number): RankedUnit =>
  ({
    departmentId,
    code: `U${String(departmentId).padStart(2, '0')}`,
    score,
    lastMonth: { score: last, kpis: kpis({}) },
  }) as RankedUnit;

describe('months', () => {
  it('counts months across year ends', () => {
    expect(addMonths('2025-01', -1)).toBe('2024-12');
    expect(addMonths('2024-12', 1)).toBe('2025-01');
    expect(addMonths('2025-03', -12)).toBe('2024-03');
  });
  it('uses the Shanghai calendar: 1 March 00:30 in Shanghai is still February in UTC', () => {
    const now = new Date('2025-02-28T16:30:00Z');
    expect(currentMonth(now)).toBe('2025-03');
    expect(lastFullMonth(now)).toBe('2025-02');
  });
  it('ends a month at the next Shanghai midnight, across the year end', () => {
    expect(monthEnd('2025-02').toISOString()).toBe('2025-02-28T16:00:00.000Z');
    expect(monthEnd('2025-12').toISOString()).toBe('2025-12-31T16:00:00.000Z');
  });
  it('accepts only YYYY-MM', () => {
    expect(isMonth('2025-07')).toBe(true);
    expect(isMonth('2025-13')).toBe(false);
    expect(isMonth('2025-7')).toBe(false);
    expect(isMonth(null)).toBe(false);
  });
});

describe('movers and flags', () => {
  const units = [unit(1, 19.5, 18), unit(2, 18, 18), unit(3, 17, 19.5), unit(4, 15, 14), unit(5, 12, 16)];

  it('finds the largest gains and losses, leaving out the unchanged', () => {
    const m = movers(units, 2);
    expect(m.up.map((u) => u.departmentId)).toEqual([1, 4]);
    expect(m.down.map((u) => u.departmentId)).toEqual([5, 3]);
  });
  it('flags units below the bar and the worst fallers, worst score first', () => {
    const f = flaggedUnits(units, 16, 1);
    expect(f.map((x) => [x.unit.departmentId, x.reasons])).toEqual([
      [5, ['low', 'falling']],
      [4, ['low']],
    ]);
  });
  it('draws the trend of the top and bottom units once each', () => {
    expect(trendSet(units, 2)).toEqual([1, 2, 4, 5]);
    expect(trendSet(units, 5)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('headline', () => {
  it('recomputes rates from the summed counts', () => {
    const h = headline([
      kpis({ received: 10, signedOnTime: 8, signedLate: 2, resolved: 5, resolvedLate: 1 }),
      kpis({ received: 4, signedOnTime: 0, signedLate: 0, rated: 4, unsatisfied: 1 }),
    ]);
    expect(h.received).toBe(14);
    expect(h.signedOnTimeRate).toBe(0.8);
    expect(h.resolvedOnTimeRate).toBe(0.8);
    expect(h.satisfactionRate).toBe(0.75);
  });
  it('has no rate when nothing was measured', () => {
    expect(headline([]).satisfactionRate).toBeNull();
  });
  it('writes signed changes with a real minus', () => {
    expect(signed(1.24)).toBe('+1.2');
    expect(signed(-0.5)).toBe('−0.5');
    expect(signed(0.01)).toBe('±0');
  });
});

describe('shortName and itemsSum', () => {
  it('drops the district and the office suffix', () => {
    expect(shortName('临汾路街道办事处', 'zh-CN')).toBe('临汾路');
    expect(shortName('静安区市场监督管理局', 'zh-CN')).toBe('市场监督管理局');
    expect(shortName('Linfen Road Subdistrict Office', 'en')).toBe('Linfen Road Sub…');
  });
  it('adds the items to the cent and compares with the total', () => {
    expect(itemsSum([{ earned: 4.5 }, { earned: 3.25 }, { earned: 10 }], 17.75)).toEqual({
      sum: 17.75,
      matches: true,
    });
    expect(itemsSum([{ earned: 4.5 }], 5).matches).toBe(false);
  });
});
