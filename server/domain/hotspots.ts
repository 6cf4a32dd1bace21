// Spatio-temporal hot-spots: Getis-Ord Gi* over a regular grid (each cell against its neighbours and the
// whole study area), kept only where significant after a Benjamini–Hochberg false-discovery correction,
// and classified by trend over consecutive windows. Pure: counts in, hot-spots out.

/** A grid cell by column and row. */
export interface CellKey {
  ix: number;
  iy: number;
}

/** The regular grid: cells of dLon × dLat degrees from (lon0, lat0). */
export interface Grid {
  lon0: number;
  lat0: number;
  dLon: number;
  dLat: number;
}

/** Where a hot-spot stands against the windows before it. */
export type HotspotTrend = 'new' | 'intensifying' | 'persistent' | 'diminishing';

/** One significant (or just faded) cell. */
export interface Hotspot extends CellKey {
  /** Reports in the current window. */
  count: number;
  /** Gi* z-score in the current window. */
  z: number;
  /** One-sided p of z (hot spots only), and its Benjamini–Hochberg adjusted value. */
  p: number;
  q: number;
  /** Significant now (q ≤ alpha). False only for "diminishing" cells that were significant just before. */
  significant: boolean;
  trend: HotspotTrend;
  /** z in each earlier window, oldest first. */
  history: number[];
  /** Mean count of the cell in the earlier windows. */
  baseline: number;
}

export interface HotspotOptions {
  /** False discovery rate (default 0.01: a wall display should not cry wolf). */
  alpha?: number;
  /** Neighbourhood: cells within this many steps (Chebyshev) count as neighbours, self included (default 1). */
  radius?: number;
  /** z change between windows that counts as intensifying / diminishing (default 1). */
  trendDelta?: number;
  /** Cells with fewer reports than this in the window are never hot (default 3). */
  minCount?: number;
}

const key = (ix: number, iy: number) => `${ix}:${iy}`;

/** The cell a point falls in. */
export function cellOf(grid: Grid, lon: number, lat: number): CellKey {
  return { ix: Math.floor((lon - grid.lon0) / grid.dLon), iy: Math.floor((lat - grid.lat0) / grid.dLat) };
}

/** The cell's corners as a closed ring [lon, lat][] (for the map layer). */
export function cellPolygon(grid: Grid, c: CellKey): [number, number][] {
  const w = grid.lon0 + c.ix * grid.dLon;
  const s = grid.lat0 + c.iy * grid.dLat;
  return [
    [w, s],
    [w + grid.dLon, s],
    [w + grid.dLon, s + grid.dLat],
    [w, s + grid.dLat],
    [w, s],
  ];
}

/** Standard normal upper tail P(Z ≥ z) (Abramowitz–Stegun 7.1.26 through erfc; error < 1.5e-7). */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * Getis-Ord Gi* with binary weights (the cell and its neighbours within `radius` that belong to the study
 * area). `cells` is the study area (every cell, zeros included); `counts` the reports per cell.
 */
export function giStar(
  cells: readonly CellKey[],
  counts: ReadonlyMap<string, number>,
  radius = 1,
): Map<string, number> {
  const n = cells.length;
  const out = new Map<string, number>();
  if (n < 3) return out;
  const inArea = new Set(cells.map((c) => key(c.ix, c.iy)));
  let sum = 0;
  let sumSq = 0;
  for (const c of cells) {
    const x = counts.get(key(c.ix, c.iy)) ?? 0;
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  const s = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  if (s === 0) {
    for (const c of cells) out.set(key(c.ix, c.iy), 0);
    return out;
  }
  for (const c of cells) {
    let wx = 0;
    let w = 0;
    for (let dx = -radius; dx <= radius; dx++) {
      for (let dy = -radius; dy <= radius; dy++) {
        const k = key(c.ix + dx, c.iy + dy);
        if (!inArea.has(k)) continue;
        w++;
        wx += counts.get(k) ?? 0;
      }
    }
    // Binary weights: Σw = Σw² = w.
    const denom = s * Math.sqrt((n * w - w * w) / (n - 1));
    out.set(key(c.ix, c.iy), denom > 0 ? (wx - mean * w) / denom : 0);
  }
  return out;
}

/** Benjamini–Hochberg adjusted p-values (same order as given). */
export function benjaminiHochberg(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const q = new Array<number>(m);
  let min = 1;
  for (let r = m - 1; r >= 0; r--) {
    const [p, i] = order[r];
    min = Math.min(min, (p * m) / (r + 1));
    q[i] = min;
  }
  return q;
}

/**
 * Hot-spots of the current window and their trends. `windows` holds the counts per cell of consecutive
 * windows, oldest first, the current one last; significance is judged in each window the same way.
 */
export function findHotspots(
  cells: readonly CellKey[],
  windows: readonly ReadonlyMap<string, number>[],
  opts: HotspotOptions = {},
): Hotspot[] {
  const alpha = opts.alpha ?? 0.01;
  const delta = opts.trendDelta ?? 1;
  const minCount = opts.minCount ?? 3;
  if (windows.length === 0) return [];
  const judged = windows.map((counts) => {
    const z = giStar(cells, counts, opts.radius ?? 1);
    const keys = cells.map((c) => key(c.ix, c.iy));
    const p = keys.map((k) => normalUpperTail(z.get(k) ?? 0));
    const q = benjaminiHochberg(p);
    const sig = new Set<string>();
    keys.forEach((k, i) => {
      if (q[i] <= alpha && (counts.get(k) ?? 0) >= minCount && (z.get(k) ?? 0) > 0) sig.add(k);
    });
    return { z, p: new Map(keys.map((k, i) => [k, p[i]])), q: new Map(keys.map((k, i) => [k, q[i]])), sig };
  });
  const now = judged[judged.length - 1];
  const before = judged.slice(0, -1);
  const current = windows[windows.length - 1];
  const out: Hotspot[] = [];
  for (const c of cells) {
    const k = key(c.ix, c.iy);
    const sigNow = now.sig.has(k);
    const prev = before.length ? before[before.length - 1] : null;
    const sigPrev = prev?.sig.has(k) ?? false;
    if (!sigNow && !sigPrev) continue;
    const z = now.z.get(k) ?? 0;
    const history = before.map((j) => j.z.get(k) ?? 0);
    const zPrev = history.length ? history[history.length - 1] : 0;
    let trend: HotspotTrend;
    if (!sigNow) trend = 'diminishing';
    else if (!before.some((j) => j.sig.has(k))) trend = 'new';
    else if (sigPrev && z >= zPrev + delta) trend = 'intensifying';
    else if (sigPrev && z <= zPrev - delta) trend = 'diminishing';
    else trend = 'persistent';
    const earlier = windows.slice(0, -1).map((w) => w.get(k) ?? 0);
    out.push({
      ...c,
      count: current.get(k) ?? 0,
      z,
      p: now.p.get(k) ?? 1,
      q: now.q.get(k) ?? 1,
      significant: sigNow,
      trend,
      history,
      baseline: earlier.length ? earlier.reduce((a, b) => a + b, 0) / earlier.length : 0,
    });
  }
  return out.sort((a, b) => Number(b.significant) - Number(a.significant) || b.z - a.z);
}

/** The key used in count maps. */
export const cellKey = (c: CellKey) => key(c.ix, c.iy);
