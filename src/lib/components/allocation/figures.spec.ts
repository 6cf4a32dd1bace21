import { describe, expect, it } from 'vitest';
import type { AllocationDecision, MoveRecommendation, StreetDemand, UnitLoad } from '$lib/api/allocation';
import {
  asLoad,
  busiestStreet,
  changedStaff,
  decisionsByKey,
  oneDecimal,
  percent,
  recommendationKey,
  textWidth,
  topByLoad,
  truncateLabel,
} from './figures';

const unit = (departmentId: number, name: string, load: number, demandHoursPerWeek = 10, staff = 8) =>
  ({ departmentId, name, load, demandHoursPerWeek, staff }) as UnitLoad;

const week = (actual: number | null, tickets: number | null) => ({
  week: '2025-01-06',
  actual,
  tickets,
  forecast: null,
  lower: null,
  upper: null,
});

describe('number formats', () => {
  it('shows hours with one decimal and whole numbers as they are', () => {
    expect(oneDecimal(12.345)).toBe('12.3');
    expect(oneDecimal(4)).toBe('4');
    expect(oneDecimal(3.96)).toBe('4');
  });
  it('shows rates as percentages, with a decimal only when small', () => {
    expect(percent(0.853)).toBe('85%');
    expect(percent(0.042)).toBe('4.2%');
    expect(percent(0)).toBe('0%');
    expect(percent(null)).toBe('—');
    expect(percent(Infinity)).toBe('∞');
  });
  it('reads the null JSON makes of an infinite load (demand, no staff) as Infinity', () => {
    expect(asLoad(null)).toBe(Infinity);
    expect(asLoad(0.4)).toBe(0.4);
  });
});

describe('what to show first', () => {
  it('ranks units by load, then demand hours, then name', () => {
    const units = [unit(1, '乙', 0.5), unit(2, '甲', 1.2), unit(3, '丙', 0.5, 20), unit(4, '丁', 0.1)];
    expect(topByLoad(units, 3).map((u) => u.departmentId)).toEqual([2, 3, 1]);
  });
  it('puts a unit with no staff and some demand (load null over JSON) first', () => {
    const units = [unit(1, 'a', 2), unit(2, 'b', null as unknown as number), unit(3, 'c', 0.5)];
    expect(topByLoad(units, 3).map((u) => u.departmentId)).toEqual([2, 1, 3]);
  });
  it('picks the street with most cases, tickets breaking ties, and null without streets', () => {
    const s = (streetId: number, cases: number, tickets: number) =>
      ({ streetId, weeks: [week(cases, tickets), week(null, null)] }) as StreetDemand;
    expect(busiestStreet([s(1, 3, 9), s(2, 5, 0), s(3, 5, 2)])).toBe(3);
    expect(busiestStreet([])).toBeNull();
  });
});

describe('chart labels', () => {
  it('counts CJK characters as full width', () => {
    expect(textWidth('街道', 12)).toBe(24);
    expect(textWidth('ab', 10)).toBe(12);
  });
  it('keeps short names and cuts long ones to fit with an ellipsis', () => {
    expect(truncateLabel('临汾路街道', 100, 12)).toBe('临汾路街道');
    const cut = truncateLabel('上海市静安区城市管理行政执法局', 100, 12);
    expect(cut.endsWith('…')).toBe(true);
    expect(textWidth(cut, 12)).toBeLessThanOrEqual(100);
  });
});

describe('decisions', () => {
  const move = {
    kind: 'move',
    fromDepartmentId: 1,
    toDepartmentId: 2,
    staff: 2,
    weeks: 2,
  } as MoveRecommendation;
  it('matches a recommendation to its newest decision', () => {
    const d = (id: number, payload: AllocationDecision['payload']) =>
      ({ id, payload, kind: payload.kind }) as AllocationDecision;
    const patrol = { kind: 'night_patrol', gridCellId: 7 } as AllocationDecision['payload'];
    const byKey = decisionsByKey([d(3, move), d(2, patrol), d(1, move)]);
    expect(byKey.get(recommendationKey(move))?.id).toBe(3);
    expect(byKey.get(recommendationKey(patrol))?.id).toBe(2);
    expect(byKey.get(recommendationKey({ ...move, staff: 3 }))).toBeUndefined();
  });
});

describe('what-if changes', () => {
  it('lists only rows whose tried staff differs from the current staff', () => {
    const units = [unit(1, 'a', 1), unit(2, 'b', 1), unit(3, 'c', 1), unit(4, 'd', 1)];
    expect(changedStaff(units, { 1: 8, 2: 5, 3: null, 4: Number.NaN })).toEqual([
      { departmentId: 2, staff: 5 },
    ]);
  });
});
