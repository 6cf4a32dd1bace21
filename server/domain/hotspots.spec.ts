// Hot-spot statistics on constructed data with a known answer.
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, cellKey, findHotspots, giStar, normalUpperTail, type CellKey } from './hotspots';
import { createRandom } from './random';

/** A 30 × 20 study area. */
const CELLS: CellKey[] = [];
for (let ix = 0; ix < 30; ix++) for (let iy = 0; iy < 20; iy++) CELLS.push({ ix, iy });

function noise(seed: string, lambda: number): Map<string, number> {
  const rnd = createRandom(seed);
  return new Map(CELLS.map((c) => [cellKey(c), rnd.poisson(lambda)]));
}

function plant(counts: Map<string, number>, at: CellKey, extra: number): Map<string, number> {
  const out = new Map(counts);
  for (let dx = -1; dx <= 1; dx++)
    for (let dy = -1; dy <= 1; dy++) {
      const k = cellKey({ ix: at.ix + dx, iy: at.iy + dy });
      out.set(k, (out.get(k) ?? 0) + (dx === 0 && dy === 0 ? extra : Math.round(extra / 2)));
    }
  return out;
}

describe('Getis-Ord Gi*', () => {
  it('finds a planted cluster and nothing else', () => {
    const counts = plant(noise('planted', 2), { ix: 12, iy: 8 }, 10);
    const hot = findHotspots(CELLS, [counts]).filter((h) => h.significant);
    expect(hot.length).toBeGreaterThan(0);
    expect(hot[0]).toMatchObject({ ix: 12, iy: 8, trend: 'new' });
    // Everything flagged lies in or next to the planted block.
    for (const h of hot) expect(Math.max(Math.abs(h.ix - 12), Math.abs(h.iy - 8))).toBeLessThanOrEqual(2);
  });

  it('finds no significant cell in uniform noise (20 seeds)', () => {
    let falseHits = 0;
    for (let s = 0; s < 20; s++)
      falseHits += findHotspots(CELLS, [noise(`uniform-${s}`, 3)]).filter((h) => h.significant).length;
    expect(falseHits).toBe(0);
  });

  it('gives z = 0 everywhere when every cell has the same count', () => {
    const z = giStar(CELLS, new Map(CELLS.map((c) => [cellKey(c), 4])));
    expect([...z.values()].every((v) => v === 0)).toBe(true);
  });

  it('matches a hand-computed Gi* on a 3 × 1 strip', () => {
    // counts 0, 0, 6; mean 2, s = sqrt((36/3) − 4) = 2√2; cell 2 with radius 1 sees cells 1 and 2: w = 2
    // z = (6 − 2·2) / (2√2 · sqrt((3·2 − 4)/2)) = 2 / (2√2) = 0.7071
    const strip = [0, 1, 2].map((ix) => ({ ix, iy: 0 }));
    const z = giStar(strip, new Map([['2:0', 6]]));
    expect(z.get('2:0')).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('computes the normal tail and Benjamini–Hochberg adjustment', () => {
    expect(normalUpperTail(1.96)).toBeCloseTo(0.025, 4);
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 6);
    expect(normalUpperTail(-1)).toBeCloseTo(0.8413, 4);
    // sorted 0.01, 0.03, 0.04, 0.2 → 0.04, min(0.06, ·), 0.0533, 0.2 (each capped by the next larger one)
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.2]);
    [0.04, 0.16 / 3, 0.16 / 3, 0.2].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 10));
  });
});

describe('trend over consecutive windows', () => {
  const base = (s: string) => noise(s, 2);
  const at = { ix: 5, iy: 5 };
  const find = (windows: Map<string, number>[]) =>
    findHotspots(CELLS, windows).find((h) => h.ix === at.ix && h.iy === at.iy);

  it('new: significant now, never before', () => {
    expect(find([base('a'), base('b'), base('c'), plant(base('d'), at, 12)])?.trend).toBe('new');
  });
  it('intensifying: significant before and clearly stronger now', () => {
    expect(
      find([base('a'), plant(base('b'), at, 6), plant(base('c'), at, 8), plant(base('d'), at, 20)])?.trend,
    ).toBe('intensifying');
  });
  it('persistent: significant in each window at about the same strength', () => {
    expect(
      find([
        plant(base('a'), at, 10),
        plant(base('b'), at, 10),
        plant(base('c'), at, 10),
        plant(base('d'), at, 10),
      ])?.trend,
    ).toBe('persistent');
  });
  it('diminishing: significant before, fading or gone now', () => {
    const gone = find([
      plant(base('a'), at, 12),
      plant(base('b'), at, 12),
      plant(base('c'), at, 12),
      base('d'),
    ]);
    expect(gone).toMatchObject({ trend: 'diminishing', significant: false });
    const weaker = find([
      base('a'),
      plant(base('b'), at, 25),
      plant(base('c'), at, 25),
      plant(base('d'), at, 8),
    ]);
    expect(weaker?.trend).toBe('diminishing');
  });
});
