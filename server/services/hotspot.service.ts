// Hot-spots on demand: the study area's grid (cached per cell size), counts per window from the
// repository, Gi* and trends from the domain, and the streets each hot cell touches.
import type { HotspotsResponse } from '../../src/lib/api/hotspots';
import type { HotspotSource, HotspotsRepository } from '../db/repositories/hotspots.repository';
import { cellKey, cellPolygon, findHotspots, type CellKey, type Grid } from '../domain/hotspots';

export interface HotspotQuery {
  source: HotspotSource;
  category?: string;
  days: number;
  cellMetres: number;
  to: Date;
  /** Windows compared, the current one included (default 4). */
  windows?: number;
}

const ALPHA = 0.01;
const METRES_PER_DEGREE_LAT = 111_320;

/** A grid of about `metres` square cells anchored at the districts' south-west corner. */
export function gridFor(extent: [number, number, number, number], metres: number): Grid {
  const [w, s, , n] = extent;
  const midLat = ((s + n) / 2) * (Math.PI / 180);
  return {
    lon0: w,
    lat0: s,
    dLat: metres / METRES_PER_DEGREE_LAT,
    dLon: metres / (METRES_PER_DEGREE_LAT * Math.cos(midLat)),
  };
}

export function hotspotService(repo: HotspotsRepository) {
  const areas = new Map<number, { grid: Grid; cells: CellKey[] }>();

  async function area(metres: number) {
    let a = areas.get(metres);
    if (!a) {
      const extent = await repo.extent();
      if (!extent) return null;
      const grid = gridFor(extent, metres);
      a = { grid, cells: await repo.studyArea(grid, extent) };
      areas.set(metres, a);
    }
    return a;
  }

  return {
    /** Forgets the cached study areas (after a boundary import). */
    reset(): void {
      areas.clear();
    },

    async compute(q: HotspotQuery): Promise<HotspotsResponse> {
      const t0 = performance.now();
      const windows = q.windows ?? 4;
      const a = await area(q.cellMetres);
      const base = {
        source: q.source,
        category: q.category ?? null,
        days: q.days,
        cellMetres: q.cellMetres,
        windows,
        to: q.to.toISOString(),
        alpha: ALPHA,
      };
      if (!a) return { ...base, cells: 0, total: 0, hotspots: [], ms: performance.now() - t0 };
      const rows = await repo.counts({
        source: q.source,
        category: q.category,
        grid: a.grid,
        to: q.to,
        windowMs: q.days * 86_400_000,
        windows,
      });
      // Oldest window first, the current one last.
      const perWindow = Array.from({ length: windows }, () => new Map<string, number>());
      for (const r of rows) if (r.w >= 0 && r.w < windows) perWindow[windows - 1 - r.w].set(cellKey(r), r.n);
      const current = perWindow[windows - 1];
      let total = 0;
      for (const c of a.cells) total += current.get(cellKey(c)) ?? 0;
      const found = findHotspots(a.cells, perWindow, { alpha: ALPHA });
      const streets = await repo.streetsOf(a.grid, found);
      return {
        ...base,
        cells: a.cells.length,
        total,
        hotspots: found.map((h) => ({
          ix: h.ix,
          iy: h.iy,
          polygon: cellPolygon(a.grid, h),
          count: h.count,
          baseline: Math.round(h.baseline * 10) / 10,
          z: Math.round(h.z * 100) / 100,
          history: h.history.map((z) => Math.round(z * 100) / 100),
          q: h.q,
          significant: h.significant,
          trend: h.trend,
          streets: streets.get(cellKey(h)) ?? [],
        })),
        ms: Math.round(performance.now() - t0),
      };
    },

    /** The reports behind one cell in the current window. */
    async reports(q: HotspotQuery, cell: CellKey) {
      const a = await area(q.cellMetres);
      if (!a) return [];
      return repo.reportsIn(
        {
          source: q.source,
          category: q.category,
          grid: a.grid,
          to: q.to,
          windowMs: q.days * 86_400_000,
          windows: 1,
        },
        cell,
      );
    },
  };
}

export type HotspotService = ReturnType<typeof hotspotService>;
