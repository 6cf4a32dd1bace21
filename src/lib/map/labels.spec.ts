import { describe, expect, it } from 'vitest';
import { labelSize, placeLabels, type StreetLabel } from './labels';

const label = (id: number, x: number, priority: number, text = '天平路街道'): StreetLabel => ({
  id,
  text,
  position: [x, 0],
  priority,
});
/** 1 degree = 1 pixel, so positions are pixels. */
const identity = (p: [number, number]): [number, number] => p;

describe('placeLabels', () => {
  it('keeps the larger street when two labels would overlap', () => {
    const placed = placeLabels([label(1, 0, 1), label(2, 30, 5), label(3, 300, 1)], identity, 13);
    expect(placed.map((l) => l.id)).toEqual([2, 3]);
  });

  it('keeps every label when they are far apart', () => {
    const placed = placeLabels([label(1, 0, 1), label(2, 200, 1)], identity, 13);
    expect(placed).toHaveLength(2);
  });

  it('sizes CJK text wider than Latin text of the same length', () => {
    expect(labelSize('徐家汇', 10)[0]).toBeGreaterThan(labelSize('abc', 10)[0]);
  });
});
