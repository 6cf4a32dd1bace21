import { describe, expect, it } from 'vitest';
import {
  GRID,
  RateLimiter,
  cellAt,
  cellOf,
  cellsGeoJson,
  rateOf,
  suppress,
  suppressedLabel,
  toCsv,
} from './disclosure';

describe('suppress', () => {
  it('hides counts from 1 to min-1 and publishes zero and everything from min on', () => {
    expect(suppress(0, 5)).toEqual({ count: 0, suppressed: false });
    for (const n of [1, 2, 3, 4]) expect(suppress(n, 5)).toEqual({ count: null, suppressed: true });
    expect(suppress(5, 5)).toEqual({ count: 5, suppressed: false });
    expect(suppress(1234, 5)).toEqual({ count: 1234, suppressed: false });
  });

  it('publishes everything when the threshold is 1', () => {
    expect(suppress(1, 1)).toEqual({ count: 1, suppressed: false });
  });

  it('writes a suppressed count as "<min"', () => {
    expect(suppressedLabel(5)).toBe('<5');
  });
});

describe('rateOf', () => {
  it('is a share with three decimals, null on a base too small to publish', () => {
    expect(rateOf(2, 3, 1)).toBe(0.667);
    expect(rateOf(4, 4, 5)).toBeNull();
    expect(rateOf(0, 0, 1)).toBeNull();
    expect(rateOf(5, 10, 5)).toBe(0.5);
  });
});

describe('cellOf', () => {
  it('puts a point inside its cell, whose centre and bounds are stable across calls', () => {
    const p: [number, number] = [121.43787, 31.19263];
    for (const m of [250, 1000, 5000]) {
      const c = cellOf(p[0], p[1], m);
      const [w, s, e, n] = c.bounds;
      expect(w).toBeLessThanOrEqual(p[0]);
      expect(e).toBeGreaterThan(p[0]);
      expect(s).toBeLessThanOrEqual(p[1]);
      expect(n).toBeGreaterThan(p[1]);
      expect(cellOf(p[0], p[1], m)).toEqual(c);
      expect(cellAt(c.ix, c.iy, m)).toEqual(c);
      expect(c.id).toBe(`${m}m:${c.ix}:${c.iy}`);
      expect(c.centre[0]).toBeCloseTo((w + e) / 2, 5);
      expect(c.centre[1]).toBeCloseTo((s + n) / 2, 5);
    }
  });

  it('makes cells about `metres` wide and tall at the city', () => {
    const c = cellOf(121.44, 31.2, 1000);
    const [w, s, e, n] = c.bounds;
    const km = (d: number) => (d * GRID.metresPerDegree) / 1000;
    expect(km(n - s)).toBeCloseTo(1, 3);
    expect(km((e - w) * Math.cos((31.2 * Math.PI) / 180))).toBeCloseTo(1, 3);
  });

  it('maps nearby points to one cell and points a cell apart to neighbours', () => {
    const a = cellOf(121.44, 31.2, 1000);
    const dLat = 1000 / GRID.metresPerDegree;
    expect(cellOf(121.44, 31.2 + dLat, 1000).iy).toBe(a.iy + 1);
    expect(cellOf(121.44, 31.2 + dLat, 1000).ix).toBe(a.ix);
    const [w, s] = a.bounds;
    expect(cellOf(w + 2e-6, s + 2e-6, 1000).id).toBe(a.id);
  });

  it('anchors the grid at the origin: the origin is the corner of cell 0:0', () => {
    expect(cellOf(GRID.lon0 + 1e-9, GRID.lat0 + 1e-9, 500)).toMatchObject({ ix: 0, iy: 0 });
    expect(cellOf(GRID.lon0 - 1e-9, GRID.lat0 - 1e-9, 500)).toMatchObject({ ix: -1, iy: -1 });
  });
});

describe('RateLimiter', () => {
  it('allows a minute of requests in a burst, then refuses with the wait until the next token', () => {
    const rl = new RateLimiter(60);
    for (let i = 0; i < 60; i++) expect(rl.take('a', 1000).ok).toBe(true);
    const refused = rl.take('a', 1000);
    expect(refused).toEqual({ ok: false, retryAfterS: 1 });
    expect(rl.take('b', 1000).ok).toBe(true);
    expect(rl.take('a', 2000).ok).toBe(true);
    expect(rl.take('a', 2000).ok).toBe(false);
  });

  it('refills at the configured rate and never above one minute', () => {
    const rl = new RateLimiter(6);
    for (let i = 0; i < 6; i++) rl.take('a', 0);
    const r = rl.take('a', 0);
    expect(r).toEqual({ ok: false, retryAfterS: 10 });
    expect(rl.take('a', 10_000).ok).toBe(true);
    expect(rl.take('a', 3_600_000)).toEqual({ ok: true, remaining: 5 });
  });

  it('forgets clients whose bucket is full again', () => {
    const rl = new RateLimiter(10);
    rl.take('a', 0);
    rl.take('b', 0);
    expect(rl.size).toBe(2);
    rl.take('c', 120_000);
    expect(rl.size).toBe(1);
  });
});

describe('toCsv', () => {
  it('starts with a BOM, ends lines with CRLF and quotes per RFC 4180', () => {
    const csv = toCsv(
      ['a', 'b', 'c'],
      [
        ['plain', 1, null],
        ['has,comma', 'has "quote"', 'two\nlines'],
        ['街道', true, 0.5],
      ],
    );
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1)).toBe(
      'a,b,c\r\nplain,1,\r\n"has,comma","has ""quote""","two\nlines"\r\n街道,true,0.5\r\n',
    );
  });
});

describe('cellsGeoJson', () => {
  it('draws each cell as a closed counter-clockwise square with count and suppressed', () => {
    const fc = cellsGeoJson(
      [
        { ix: 3, iy: 4, count: 12, suppressed: false },
        { ix: 3, iy: 5, count: null, suppressed: true },
      ],
      1000,
      { name: 'cells' },
    );
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.name).toBe('cells');
    expect(fc.features).toHaveLength(2);
    const [f, g] = fc.features;
    expect(f.id).toBe('1000m:3:4');
    expect(f.properties).toEqual({ cell: '1000m:3:4', count: 12, suppressed: false });
    expect(g.properties).toEqual({ cell: '1000m:3:5', count: null, suppressed: true });
    const ring = f.geometry.coordinates[0];
    expect(ring).toHaveLength(5);
    expect(ring[0]).toEqual(ring[4]);
    // Shoelace: positive area means counter-clockwise.
    let area = 0;
    for (let i = 0; i < 4; i++) area += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
    expect(area).toBeGreaterThan(0);
    expect(ring[0]).toEqual(cellAt(3, 4, 1000).bounds.slice(0, 2));
  });
});
