import { describe, expect, it } from 'vitest';
import {
  bbox,
  planarArea,
  pointInPolygon,
  pointInRing,
  PolygonLocator,
  randomPointIn,
  type GeoJsonMultiPolygon,
  type GeoJsonPolygon,
} from './geo';
import { createRandom } from './random';

const square = (x0: number, y0: number, size: number) => [
  [x0, y0],
  [x0 + size, y0],
  [x0 + size, y0 + size],
  [x0, y0 + size],
  [x0, y0],
];

/** A 10×10 square with a 2×2 hole in the middle. */
const withHole: GeoJsonPolygon = { type: 'Polygon', coordinates: [square(0, 0, 10), square(4, 4, 2)] };

/** Two squares far apart; the second has a hole. */
const multi: GeoJsonMultiPolygon = {
  type: 'MultiPolygon',
  coordinates: [[square(0, 0, 1)], [square(5, 5, 4), square(6, 6, 1)]],
};

describe('pointInRing', () => {
  it('handles a concave ring', () => {
    // An "L": the notch at the upper right is outside.
    const ell = [
      [0, 0],
      [4, 0],
      [4, 2],
      [2, 2],
      [2, 4],
      [0, 4],
      [0, 0],
    ];
    expect(pointInRing(1, 1, ell)).toBe(true);
    expect(pointInRing(1, 3, ell)).toBe(true);
    expect(pointInRing(3, 3, ell)).toBe(false);
    expect(pointInRing(5, 1, ell)).toBe(false);
  });

  it('does not depend on ring orientation', () => {
    const ccw = square(0, 0, 2);
    const cw = [...ccw].reverse();
    expect(pointInRing(1, 1, ccw)).toBe(true);
    expect(pointInRing(1, 1, cw)).toBe(true);
  });
});

describe('pointInPolygon', () => {
  it('excludes holes', () => {
    expect(pointInPolygon(1, 1, withHole)).toBe(true);
    expect(pointInPolygon(5, 5, withHole)).toBe(false);
    expect(pointInPolygon(3.9, 5, withHole)).toBe(true);
    expect(pointInPolygon(11, 5, withHole)).toBe(false);
  });

  it('checks every polygon of a MultiPolygon with its own holes', () => {
    expect(pointInPolygon(0.5, 0.5, multi)).toBe(true);
    expect(pointInPolygon(5.5, 5.5, multi)).toBe(true);
    expect(pointInPolygon(6.5, 6.5, multi)).toBe(false);
    expect(pointInPolygon(3, 3, multi)).toBe(false);
  });
});

describe('bbox / planarArea', () => {
  it('spans all shells', () => {
    expect(bbox(multi)).toEqual({ minLon: 0, minLat: 0, maxLon: 9, maxLat: 9 });
    expect(bbox(withHole)).toEqual({ minLon: 0, minLat: 0, maxLon: 10, maxLat: 10 });
  });

  it('subtracts holes from the area', () => {
    expect(planarArea(withHole)).toBe(96);
    expect(planarArea(multi)).toBe(1 + 16 - 1);
  });

  it('refuses an empty geometry', () => {
    expect(() => bbox({ type: 'MultiPolygon', coordinates: [] })).toThrow(/empty/);
  });
});

describe('randomPointIn', () => {
  it('only returns points inside, spread over the whole area', () => {
    const r = createRandom('geo');
    let left = 0;
    for (let i = 0; i < 2000; i++) {
      const [x, y] = randomPointIn(withHole, r.next);
      expect(pointInPolygon(x, y, withHole)).toBe(true);
      if (x < 5) left++;
    }
    expect(left / 2000).toBeCloseTo(0.5, 1);
  });

  it('gives up on a degenerate polygon instead of looping forever', () => {
    const flat: GeoJsonPolygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [2, 0],
          [0, 0],
        ],
      ],
    };
    expect(() => randomPointIn(flat, createRandom(1).next, undefined, 50)).toThrow(/no point/);
  });
});

describe('PolygonLocator', () => {
  it('finds the area under a point, lowest id on overlap, null outside', () => {
    const locator = new PolygonLocator(
      [
        { id: 7, geom: { type: 'Polygon', coordinates: [square(0, 0, 0.01)] } },
        { id: 3, geom: { type: 'Polygon', coordinates: [square(0.005, 0, 0.01)] } },
      ],
      0.004,
    );
    expect(locator.locate(0.002, 0.002)).toBe(7);
    expect(locator.locate(0.007, 0.002)).toBe(3);
    expect(locator.locate(0.012, 0.002)).toBe(3);
    expect(locator.locate(-1, -1)).toBeNull();
  });

  it('respects holes', () => {
    const locator = new PolygonLocator([{ id: 9, geom: withHole }], 1);
    expect(locator.locate(5, 5)).toBeNull();
    expect(locator.locate(8, 8)).toBe(9);
  });
});
