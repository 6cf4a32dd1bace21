// The leaders' wall: one summary of what the city needs now (open cases by deadline, today's hotline calls
// against normal, the week's hot-spots, the month's department ranking) and the scene schedule. Built from
// the same services the desk pages use; cached briefly so many screens cost one computation.
import type { WallSchedule, WallSummary } from '../../src/lib/api/wall';
import type { Database } from '../db/client';
import { performanceRepository } from '../db/repositories/performance.repository';
import { wallRepository } from '../db/repositories/wall.repository';
import { baselineDayOffsets, hotlineVolume, shanghaiMidnight } from '../domain/hotline-volume';
import { addMonths, monthOf } from '../domain/kpis';
import type { WorkCalendar } from '../domain/work-calendar';
import type { Logger } from '../log';
import type { HotspotService } from './hotspot.service';
import { performanceService } from './performance.service';

/** A summary younger than this is served as is. */
const CACHE_MS = 15_000;
const MAX_UNITS = 6;
const MAX_HOTSPOTS = 5;
const HOTSPOT_DAYS = 7;
const HOTSPOT_CELL_M = 500;

export interface WallServiceDeps {
  db: Database;
  calendar: WorkCalendar;
  hotspots: HotspotService;
  schedule: WallSchedule;
  log: Logger;
}

export function wallService(deps: WallServiceDeps) {
  const repo = wallRepository(deps.db);
  const performance = performanceService({ repo: performanceRepository(deps.db), calendar: deps.calendar });
  let cached: { at: number; value: Promise<WallSummary> } | null = null;

  /** A part that fails is logged and left out; the wall shows the rest. */
  async function part<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (err) {
      deps.log.warn('wall: a figure could not be computed', { part: name, error: (err as Error).message });
      return null;
    }
  }

  async function compute(now: Date): Promise<WallSummary> {
    const [cases, hotline, hotspots, ranking] = await Promise.all([
      part('cases', async () => {
        const units = await repo.deadlinesByUnit(now);
        const sum = (k: 'open' | 'overdue' | 'dueSoon') => units.reduce((s, u) => s + u[k], 0);
        return {
          open: sum('open'),
          overdue: sum('overdue'),
          dueSoon: sum('dueSoon'),
          units: units
            .filter((u) => u.overdue + u.dueSoon > 0)
            .sort(
              (a, b) =>
                b.overdue - a.overdue ||
                b.dueSoon - a.dueSoon ||
                (a.departmentId ?? 0) - (b.departmentId ?? 0),
            )
            .slice(0, MAX_UNITS),
        };
      }),
      part('hotline', async () => {
        const midnight = shanghaiMidnight(now);
        const [counts, first] = await Promise.all([
          repo.callsPerHour(midnight, now, baselineDayOffsets()),
          repo.firstCallAt(),
        ]);
        return hotlineVolume(counts, now, first);
      }),
      part('hotspots', async () => {
        const r = await deps.hotspots.compute({
          source: 'tickets',
          days: HOTSPOT_DAYS,
          cellMetres: HOTSPOT_CELL_M,
          to: now,
        });
        const cells = r.hotspots
          .filter((h) => h.significant && h.trend !== 'diminishing')
          .sort((a, b) => b.z - a.z)
          .slice(0, MAX_HOTSPOTS)
          .map((h) => {
            const lons = h.polygon.map((p) => p[0]);
            const lats = h.polygon.map((p) => p[1]);
            const bounds: [number, number, number, number] = [
              Math.min(...lons),
              Math.min(...lats),
              Math.max(...lons),
              Math.max(...lats),
            ];
            return {
              ix: h.ix,
              iy: h.iy,
              count: h.count,
              baseline: h.baseline,
              trend: h.trend,
              streets: h.streets,
              center: [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2] as [number, number],
              bounds,
            };
          });
        return { days: r.days, total: r.total, cells };
      }),
      part('ranking', async () => {
        // The last complete month, as /performance shows by default: early in a month the running one has
        // too few closed cases to rank (every unit would tie at full marks).
        const r = await performance.ranking(addMonths(monthOf(now), -1), undefined, now);
        if (!r.ok) throw new Error(r.message);
        return {
          month: r.value.month,
          units: r.value.units.map((u) => ({
            departmentId: u.departmentId,
            name: u.name,
            nameEn: u.nameEn,
            rank: u.rank,
            score: u.score,
            max: u.max,
            change: Math.round((u.score - u.lastMonth.score) * 100) / 100,
          })),
        };
      }),
    ]);
    return { at: now.toISOString(), cases, hotline, hotspots, ranking };
  }

  return {
    /** The scene schedule from the configuration. */
    schedule: deps.schedule,

    /** The wall's figures at `now`, at most CACHE_MS old (one computation at a time). */
    summary(now: Date): Promise<WallSummary> {
      if (cached && now.getTime() - cached.at < CACHE_MS && now.getTime() >= cached.at) return cached.value;
      const value = compute(now);
      cached = { at: now.getTime(), value };
      value.catch(() => (cached = null));
      return value;
    },
  };
}

export type WallService = ReturnType<typeof wallService>;
