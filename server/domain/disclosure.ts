// The disclosure rules of the public transparency view: small counts suppressed, places coarsened to
// cells of a fixed grid, a per-client rate limit, and the CSV / GeoJSON writers of the open data.
// Pure: no I/O, no clock (callers pass `now`).

/** A count as published: the number, or null with a flag when it is below the threshold. */
export interface Disclosed {
  /** The count; null when suppressed. */
  count: number | null;
  /** True when the real count is between 1 and the threshold (exclusive) and is hidden. */
  suppressed: boolean;
}

/**
 * Suppresses a count below `min` (zero is published: "nobody reported" discloses nobody). Counts of
 * 1…min-1 could point at a single household, so they become null with `suppressed: true`.
 */
export function suppress(count: number, min: number): Disclosed {
  if (count > 0 && count < min) return { count: null, suppressed: true };
  return { count, suppressed: false };
}

/** A share of `part` in `base`, 0–1 with 3 decimals; null when the base is too small to publish. */
export function rateOf(part: number, base: number, min: number): number | null {
  if (base <= 0 || base < min) return null;
  return Math.round((part / base) * 1000) / 1000;
}

/** How a suppressed count is written in tables and CSV. */
export const suppressedLabel = (min: number) => `<${min}`;

// The grid: a local equirectangular projection (metres) anchored at a constant origin south-west of the
// city, so a cell id names the same square in every run, deployment and query. The same arithmetic runs
// in SQL (server/db/repositories/public.repository.ts); at 31°N its scale error across the city is <0.5 %.

/** The grid's constants, shared with the SQL that counts per cell. */
export const GRID = {
  /** Origin longitude (degrees). */
  lon0: 121.0,
  /** Origin latitude (degrees). */
  lat0: 30.5,
  /** Latitude whose cosine scales longitudes to metres. */
  refLat: 31.2,
  /** Metres per degree of latitude (mean Earth radius 6,371,008.8 m). */
  metresPerDegree: (6_371_008.8 * Math.PI) / 180,
} as const;

const metresPerDegreeLon = GRID.metresPerDegree * Math.cos((GRID.refLat * Math.PI) / 180);

/** One cell of the public grid. */
export interface Cell {
  /** Stable id "<metres>m:<ix>:<iy>". */
  id: string;
  /** Column, counted east from the origin. */
  ix: number;
  /** Row, counted north from the origin. */
  iy: number;
  /** Centre [lon, lat], rounded to 6 decimals. */
  centre: [number, number];
  /** [west, south, east, north] in degrees. */
  bounds: [number, number, number, number];
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** The cell with column `ix` and row `iy` of a grid of `metres`-sized squares. */
export function cellAt(ix: number, iy: number, metres: number): Cell {
  const dLon = metres / metresPerDegreeLon;
  const dLat = metres / GRID.metresPerDegree;
  const w = GRID.lon0 + ix * dLon;
  const s = GRID.lat0 + iy * dLat;
  return {
    id: `${metres}m:${ix}:${iy}`,
    ix,
    iy,
    centre: [round6(w + dLon / 2), round6(s + dLat / 2)],
    bounds: [round6(w), round6(s), round6(w + dLon), round6(s + dLat)],
  };
}

/** The cell a point falls in. */
export function cellOf(lon: number, lat: number, metres: number): Cell {
  const ix = Math.floor(((lon - GRID.lon0) * metresPerDegreeLon) / metres);
  const iy = Math.floor(((lat - GRID.lat0) * GRID.metresPerDegree) / metres);
  return cellAt(ix, iy, metres);
}

/** Metres per degree of longitude on the grid (for the SQL side). */
export const GRID_METRES_PER_DEGREE_LON = metresPerDegreeLon;

/** What a token bucket says about one request. */
export type RateDecision = { ok: true; remaining: number } | { ok: false; retryAfterS: number };

/**
 * A token bucket per key (the client's address): `perMinute` tokens, refilled continuously, so a client
 * may burst up to a minute's allowance and then gets `perMinute` requests a minute. Keys whose bucket is
 * full again are forgotten, so memory follows the clients of the last minute.
 */
export class RateLimiter {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #lastSweep = 0;

  constructor(perMinute: number) {
    this.#capacity = perMinute;
    this.#perMs = perMinute / 60_000;
  }

  /** Takes one token for `key` at `now` (ms). */
  take(key: string, now: number): RateDecision {
    if (now - this.#lastSweep > 60_000) this.#sweep(now);
    const b = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
    b.tokens = Math.min(this.#capacity, b.tokens + Math.max(0, now - b.at) * this.#perMs);
    b.at = now;
    this.#buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / this.#perMs / 1000)) };
  }

  /** Clients being tracked. */
  get size(): number {
    return this.#buckets.size;
  }

  #sweep(now: number) {
    this.#lastSweep = now;
    for (const [key, b] of this.#buckets)
      if (b.tokens + (now - b.at) * this.#perMs >= this.#capacity) this.#buckets.delete(key);
  }
}

// The CSV writer is shared with the other exports (domain/csv.ts).
export { toCsv, type CsvValue } from './csv';

/** A cell's published count. */
export interface CellCount extends Disclosed {
  /** Column of the cell. */
  ix: number;
  /** Row of the cell. */
  iy: number;
}

/** A GeoJSON FeatureCollection of cell squares (RFC 7946: closed counter-clockwise rings). */
export function cellsGeoJson(
  cells: readonly CellCount[],
  metres: number,
  extra: Record<string, unknown> = {},
): {
  type: 'FeatureCollection';
  features: {
    type: 'Feature';
    id: string;
    geometry: { type: 'Polygon'; coordinates: number[][][] };
    properties: { cell: string; count: number | null; suppressed: boolean };
  }[];
} & Record<string, unknown> {
  return {
    type: 'FeatureCollection',
    ...extra,
    features: cells.map((c) => {
      const cell = cellAt(c.ix, c.iy, metres);
      const [w, s, e, n] = cell.bounds;
      return {
        type: 'Feature',
        id: cell.id,
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [w, s],
              [e, s],
              [e, n],
              [w, n],
              [w, s],
            ],
          ],
        },
        properties: { cell: cell.id, count: c.count, suppressed: c.suppressed },
      };
    }),
  };
}
