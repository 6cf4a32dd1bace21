// The wall's scenes: which parts of the city it shows in turn (whole district → each district → each
// street → hot-spot close-ups), built from the schedule's kinds and the boundaries; and the schedule itself,
// the server's configuration with the kiosk URL's overrides (?scenes=city,hotspots&seconds=15&stale=10).
import type { Feature, Geometry } from 'geojson';
import { WALL_SCENE_KINDS, type WallHotspot, type WallSceneKind, type WallSchedule } from '$lib/api/wall';

/** [west, south, east, north] in degrees. */
export type Bounds = [number, number, number, number];

/** One scene: a place the map flies to, and what the header calls it. */
export interface WallScene {
  /** Stable key, e.g. "city", "district:xuhui", "street:tianping", "hotspot:12:40". */
  id: string;
  kind: WallSceneKind;
  /** Chinese and English names; the hot-spot scenes name the streets the cell touches. */
  name: { zh: string; en: string };
  bounds: Bounds;
  /** The hot-spot a close-up shows. */
  hotspot?: WallHotspot;
}

/** An area the scenes may show (a district or a street). */
export interface SceneArea {
  code: string;
  name: string;
  nameEn: string;
  bounds: Bounds;
}

/** Both districts, as the map opens (src/lib/map/style.ts INITIAL_BOUNDS). */
export const CITY_BOUNDS: Bounds = [121.387, 31.103, 121.479, 31.323];

const SECONDS = { min: 2, max: 3600 };
const STALE = { min: 3, max: 600 };

/** The schedule with the URL's overrides applied; a bad override is ignored (a kiosk must show something). */
export function scheduleOf(server: WallSchedule, params: URLSearchParams): WallSchedule {
  const kinds = (params.get('scenes') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is WallSceneKind => (WALL_SCENE_KINDS as readonly string[]).includes(s));
  const int = (name: string, range: { min: number; max: number }, fallback: number) => {
    const v = Number(params.get(name) ?? NaN);
    return Number.isInteger(v) && v >= range.min && v <= range.max ? v : fallback;
  };
  return {
    scenes: kinds.length > 0 ? kinds : server.scenes,
    seconds: int('seconds', SECONDS, server.seconds),
    staleSeconds: int('stale', STALE, server.staleSeconds),
  };
}

/** The bounding box of a GeoJSON geometry; null when it has no coordinates. */
export function boundsOf(geometry: Geometry | null): Bounds | null {
  if (!geometry) return null;
  const b: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      b[0] = Math.min(b[0], c[0]);
      b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]);
      b[3] = Math.max(b[3], c[1]);
      return;
    }
    for (const x of c) visit(x);
  };
  if (geometry.type === 'GeometryCollection') for (const g of geometry.geometries) visit(boundsOf(g));
  else visit(geometry.coordinates);
  return Number.isFinite(b[0]) ? b : null;
}

/** Areas of a boundary collection (features need `code`, `name`, `nameEn` properties and a geometry). */
export function areasOf(features: Feature<Geometry | null, Record<string, unknown> | null>[]): SceneArea[] {
  const out: SceneArea[] = [];
  for (const f of features) {
    const p = f.properties ?? {};
    const bounds = boundsOf(f.geometry);
    if (!bounds || typeof p.code !== 'string') continue;
    out.push({ code: p.code, name: String(p.name ?? p.code), nameEn: String(p.nameEn ?? p.code), bounds });
  }
  return out;
}

/**
 * The scenes of a schedule, in its order. Kinds with nothing to show (no hot-spot this week, boundaries
 * not loaded yet) are left out; a schedule that ends up empty shows the whole city.
 */
export function buildScenes(
  kinds: WallSceneKind[],
  places: { districts: SceneArea[]; streets: SceneArea[]; hotspots: WallHotspot[] },
): WallScene[] {
  const city: WallScene = {
    id: 'city',
    kind: 'city',
    name: { zh: '', en: '' },
    bounds: CITY_BOUNDS,
  };
  const scenes: WallScene[] = [];
  for (const kind of kinds) {
    if (kind === 'city') scenes.push(city);
    if (kind === 'districts' || kind === 'streets') {
      const areas = kind === 'districts' ? places.districts : places.streets;
      const prefix = kind === 'districts' ? 'district' : 'street';
      for (const a of areas)
        scenes.push({
          id: `${prefix}:${a.code}`,
          kind,
          name: { zh: a.name, en: a.nameEn },
          bounds: a.bounds,
        });
    }
    if (kind === 'hotspots') {
      for (const h of places.hotspots) {
        const zh = h.streets.map((s) => s.name).join('、') || `${h.ix}, ${h.iy}`;
        const en = h.streets.map((s) => s.nameEn).join(', ') || `${h.ix}, ${h.iy}`;
        scenes.push({
          id: `hotspot:${h.ix}:${h.iy}`,
          kind,
          name: { zh, en },
          // A close-up: the cell with a few cells' worth of surroundings.
          bounds: padBounds(h.bounds, 1.5),
          hotspot: h,
        });
      }
    }
  }
  const unique = scenes.filter((s, i) => scenes.findIndex((t) => t.id === s.id) === i);
  return unique.length > 0 ? unique : [city];
}

/** Widens a box by `factor` of its size on every side. */
export function padBounds(b: Bounds, factor: number): Bounds {
  const dx = (b[2] - b[0]) * factor;
  const dy = (b[3] - b[1]) * factor;
  return [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy];
}
