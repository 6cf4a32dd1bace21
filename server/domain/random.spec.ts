import { describe, expect, it } from 'vitest';
import { createRandom, hashSeed, mulberry32, weightedPicker } from './random';

describe('hashSeed / mulberry32', () => {
  it('is deterministic and seed-sensitive', () => {
    expect(hashSeed('citynerve')).toBe(hashSeed('citynerve'));
    expect(hashSeed('citynerve')).not.toBe(hashSeed('citynervf'));
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
  });

  it('yields values in [0, 1) with a flat histogram', () => {
    const next = mulberry32(hashSeed('flat'));
    const bins = new Array(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = next();
      if (x < 0 || x >= 1) outside++;
      else bins[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    for (const n of bins) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });
});

describe('createRandom', () => {
  it('replays the same stream for the same string seed', () => {
    const a = createRandom('demo');
    const b = createRandom('demo');
    expect([a.next(), a.int(0, 100), a.normal(0, 1)]).toEqual([b.next(), b.int(0, 100), b.normal(0, 1)]);
  });

  it('keeps uniform and int inside their ranges', () => {
    const r = createRandom(7);
    const ints = new Set<number>();
    let outside = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = r.uniform(-2, 3);
      if (u < -2 || u >= 3) outside++;
      ints.add(r.int(5, 8));
    }
    expect(outside).toBe(0);
    expect([...ints].sort()).toEqual([5, 6, 7]);
  });

  it('draws normals with the requested mean and spread', () => {
    const r = createRandom('normal');
    const xs = Array.from({ length: 50_000 }, () => r.normal(10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
  });

  it('picks weighted indices in proportion and never a zero weight', () => {
    const r = createRandom('weights');
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 60_000; i++) counts[r.weighted([1, 0, 2, 3])]++;
    expect(counts[1]).toBe(0);
    expect(counts[0] / 60_000).toBeCloseTo(1 / 6, 1);
    expect(counts[2] / 60_000).toBeCloseTo(2 / 6, 1);
    expect(counts[3] / 60_000).toBeCloseTo(3 / 6, 1);
  });

  it('rejects unusable weights', () => {
    expect(() => weightedPicker([0, 0])).toThrow(/positive/);
    expect(() => weightedPicker([1, -1])).toThrow(/>= 0/);
    expect(() => createRandom(1).pick([])).toThrow(/empty/);
  });

  it('maps the picker edges to the first and last positive weight', () => {
    const pick = weightedPicker([0, 1, 1, 0]);
    expect(pick(0)).toBe(1);
    expect(pick(0.999999)).toBe(2);
  });

  it('draws Poisson counts with the right mean, small and large', () => {
    const r = createRandom('poisson');
    for (const lambda of [0.3, 4, 120]) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += r.poisson(lambda);
      expect(sum / 20_000 / lambda).toBeCloseTo(1, 1);
    }
    expect(r.poisson(0)).toBe(0);
  });
});
