// Pure planar geometry on GeoJSON lon/lat polygons: point-in-polygon (holes respected), bounding boxes,
// and a bucket index that finds the polygon under a point. PostGIS stays the authority; this is for the
// generator and simulator, which place hundreds of thousands of points without a round trip each.

/** A GeoJSON position: [lon, lat] (extra ordinates are ignored). */
export type Position = number[];
/** A closed linear ring; the first ring of a polygon is its shell, the others are holes. */
export type Ring = Position[];

/** A GeoJSON Polygon. */
export interface GeoJsonPolygon {
  /** Always "Polygon". */
  type: 'Polygon';
  /** Shell followed by holes. */
  coordinates: Ring[];
}

/** A GeoJSON MultiPolygon. */
export interface GeoJsonMultiPolygon {
  /** Always "MultiPolygon". */
  type: 'MultiPolygon';
  /** One entry per polygon, each a shell followed by holes. */
  coordinates: Ring[][];
}

export type PolygonGeometry = GeoJsonPolygon | GeoJsonMultiPolygon;

/** An axis-aligned bounding box in lon/lat degrees. */
export interface BBox {
  /** Westmost longitude. */
  minLon: number;
  /** Southmost latitude. */
  minLat: number;
  /** Eastmost longitude. */
  maxLon: number;
  /** Northmost latitude. */
  maxLat: number;
}

/** The polygons of a geometry as lists of rings, whatever its type. */
export function polygonsOf(geom: PolygonGeometry): Ring[][] {
  return geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
}

/**
 * Even-odd ray casting against one ring. Points exactly on an edge may go either way; callers that need
 * a definite answer on borders ask PostGIS (ST_Covers).
 */
export function pointInRing(lon: number, lat: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i][0];
    const yi = ring[i][1];
    const xj = ring[j][0];
    const yj = ring[j][1];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** True when the point is inside a shell of the geometry and not inside one of that shell's holes. */
export function pointInPolygon(lon: number, lat: number, geom: PolygonGeometry): boolean {
  for (const rings of polygonsOf(geom)) {
    if (rings.length === 0 || !pointInRing(lon, lat, rings[0])) continue;
    let inHole = false;
    for (let h = 1; h < rings.length && !inHole; h++) inHole = pointInRing(lon, lat, rings[h]);
    if (!inHole) return true;
  }
  return false;
}

/** The bounding box of all shells (holes lie inside their shell, so they never widen it). */
export function bbox(geom: PolygonGeometry): BBox {
  const box: BBox = { minLon: Infinity, minLat: Infinity, maxLon: -Infinity, maxLat: -Infinity };
  for (const rings of polygonsOf(geom)) {
    for (const [lon, lat] of rings[0] ?? []) {
      if (lon < box.minLon) box.minLon = lon;
      if (lon > box.maxLon) box.maxLon = lon;
      if (lat < box.minLat) box.minLat = lat;
      if (lat > box.maxLat) box.maxLat = lat;
    }
  }
  if (box.minLon === Infinity) throw new Error('bbox of an empty geometry');
  return box;
}

/** Signed shoelace area of a ring in square degrees (positive when counter-clockwise). */
export function ringArea(ring: Ring): number {
  let twice = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    twice += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  }
  return twice / 2;
}

/** Planar area in square degrees: shells minus holes. Good for relative weights, not for km². */
export function planarArea(geom: PolygonGeometry): number {
  let total = 0;
  for (const rings of polygonsOf(geom)) {
    rings.forEach((ring, i) => (total += (i === 0 ? 1 : -1) * Math.abs(ringArea(ring))));
  }
  return total;
}

/**
 * A uniformly distributed point inside the geometry by rejection sampling in its bounding box.
 * `next` is a uniform [0, 1) source (e.g. Random.next). Throws after `maxTries` misses, which only
 * happens for degenerate (zero-area) input.
 */
export function randomPointIn(
  geom: PolygonGeometry,
  next: () => number,
  box = bbox(geom),
  maxTries = 10_000,
) {
  for (let i = 0; i < maxTries; i++) {
    const lon = box.minLon + (box.maxLon - box.minLon) * next();
    const lat = box.minLat + (box.maxLat - box.minLat) * next();
    if (pointInPolygon(lon, lat, geom)) return [lon, lat] as [number, number];
  }
  throw new Error(`no point found inside the polygon after ${maxTries} tries`);
}

/** One polygon the locator can return. */
export interface LocatableArea {
  /** The caller's identifier, returned by `locate`. */
  id: number;
  /** The area's shape. */
  geom: PolygonGeometry;
}

/**
 * An index that answers "which area is this point in?" for many points: areas are bucketed by the
 * cells of a regular grid their bounding boxes touch, so each lookup tests only a few polygons. When
 * areas overlap, the one with the lowest id wins (the same rule as the database's assignment).
 */
export class PolygonLocator {
  private readonly buckets = new Map<string, { id: number; geom: PolygonGeometry; box: BBox }[]>();

  constructor(
    areas: readonly LocatableArea[],
    /** Bucket edge in degrees; about the size of a typical area works best. */
    private readonly cellDegrees = 0.005,
  ) {
    const sorted = [...areas].sort((a, b) => a.id - b.id);
    for (const area of sorted) {
      const box = bbox(area.geom);
      const entry = { id: area.id, geom: area.geom, box };
      for (let i = this.cell(box.minLon); i <= this.cell(box.maxLon); i++) {
        for (let j = this.cell(box.minLat); j <= this.cell(box.maxLat); j++) {
          const key = `${i}:${j}`;
          const list = this.buckets.get(key);
          if (list) list.push(entry);
          else this.buckets.set(key, [entry]);
        }
      }
    }
  }

  private cell(degrees: number): number {
    return Math.floor(degrees / this.cellDegrees);
  }

  /** The id of the lowest-id area containing the point, or null when none does. */
  locate(lon: number, lat: number): number | null {
    const list = this.buckets.get(`${this.cell(lon)}:${this.cell(lat)}`);
    if (!list) return null;
    for (const { id, geom, box } of list) {
      if (lon < box.minLon || lon > box.maxLon || lat < box.minLat || lat > box.maxLat) continue;
      if (pointInPolygon(lon, lat, geom)) return id;
    }
    return null;
  }
}
