// A small seeded pseudo-random generator (mulberry32) with the draws the demo city needs: the same seed
// always builds the same city and drives the same simulation, so demos and tests are reproducible.

/** Draws from one seeded stream. Every method advances the same stream. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Integer uniform in [min, maxExclusive). */
  int(min: number, maxExclusive: number): number;
  /** Normal (Gaussian) with the given mean and standard deviation. */
  normal(mean: number, sd: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** An index into `weights`, with probability proportional to its weight. */
  weighted(weights: readonly number[]): number;
  /** Number of events of a Poisson process with mean `lambda`. */
  poisson(lambda: number): number;
}

/** Hashes a string to a 32-bit unsigned integer (FNV-1a followed by a murmur3 finaliser for spread). */
export function hashSeed(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a tiny 32-bit state generator, good enough for simulation (not for cryptography). */
export function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Prepares a sampler for many draws from fixed weights: cumulative sums once, then a binary search per
 * draw (the generator picks a street or a family for each of 500,000 sensors).
 */
export function weightedPicker(weights: readonly number[]): (u: number) => number {
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`weights must be finite and >= 0, got ${w}`);
    total += w;
    cumulative.push(total);
  }
  if (total <= 0) throw new Error('at least one weight must be positive');
  return (u: number) => {
    const target = u * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** A seeded generator; a string seed is hashed, a number is used as the state directly. */
export function createRandom(seed: string | number): Random {
  const next = mulberry32(typeof seed === 'string' ? hashSeed(seed) : seed);
  // Box-Muller yields two normals per pair of uniforms; keep the second for the next call.
  let spareNormal: number | null = null;
  const rnd: Random = {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, maxExclusive) => min + Math.floor((maxExclusive - min) * next()),
    normal(mean, sd) {
      if (spareNormal !== null) {
        const z = spareNormal;
        spareNormal = null;
        return mean + sd * z;
      }
      let u = 0;
      while (u === 0) u = next(); // log(0) is -Infinity
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty array');
      return items[Math.floor(next() * items.length)];
    },
    weighted: (weights) => weightedPicker(weights)(next()),
    poisson(lambda) {
      if (!(lambda > 0)) return 0;
      // Knuth's product method is exact but O(lambda); above 30 the normal approximation is close enough.
      if (lambda > 30) return Math.max(0, Math.round(rnd.normal(lambda, Math.sqrt(lambda))));
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
  };
  return rnd;
}
