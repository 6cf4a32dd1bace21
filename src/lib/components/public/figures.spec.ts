import { describe, expect, it } from 'vitest';
import { countText, rateText } from './figures';

describe('public figures', () => {
  it('writes suppressed counts as "<min" and others with grouping', () => {
    expect(countText(null, true, 5)).toBe('<5');
    expect(countText(null, false, 5)).toBe('—');
    expect(countText(0, false, 5)).toBe('0');
    expect(countText(12345, false, 5)).toBe('12,345');
  });

  it('writes rates as percentages with one decimal', () => {
    expect(rateText(0.875)).toBe('87.5%');
    expect(rateText(1)).toBe('100.0%');
    expect(rateText(null)).toBe('—');
  });
});
