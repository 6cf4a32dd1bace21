import { describe, expect, it } from 'vitest';
import { monthChoices, shiftMonth, yearChoices } from './months';

describe('month picker choices', () => {
  it('name the months in the page language, not the browser’s', () => {
    const zh = monthChoices('zh-CN');
    const en = monthChoices('en');
    expect(zh).toHaveLength(12);
    expect(zh[10]).toEqual(['11', '11月']);
    expect(en[10]).toEqual(['11', 'November']);
    expect(en.map(([, t]) => t).join(' ')).not.toMatch(/\p{sc=Han}/u);
  });

  it('offer the years oldest first, worded per language', () => {
    expect(yearChoices('zh-CN', 2024, 2026)).toEqual([
      ['2024', '2024年'],
      ['2025', '2025年'],
      ['2026', '2026年'],
    ]);
    expect(yearChoices('en', 2026, 2026)).toEqual([['2026', '2026']]);
  });

  it('step across year ends', () => {
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2025-12', 1)).toBe('2026-01');
    expect(shiftMonth('2026-11', -13)).toBe('2025-10');
  });
});
