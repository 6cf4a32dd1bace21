// The public transparency view: aggregates from the repository turned into published datasets (small
// counts suppressed, places as grid cells), serialised once and kept in memory for PUBLIC_CACHE_S so a
// burst of anonymous traffic is answered without touching the database; plus the per-client rate limit.
import { createHash } from 'node:crypto';
import type { App } from '../app';
import type {
  CellWindow,
  DownloadDataset,
  DownloadFormat,
  PublicCells,
  PublicDepartments,
  PublicMeta,
  PublicStreetRow,
  PublicStreets,
  PublicSummary,
  PublicTrend,
} from '../../src/lib/api/public';
import { PUBLIC_DOWNLOADS, PUBLIC_LICENCE } from '../../src/lib/api/public';
import { publicRepository, type PublicRepository } from '../db/repositories/public.repository';
import { CATEGORY_GROUPS } from '../domain/case-categories';
import {
  RateLimiter,
  cellAt,
  cellsGeoJson,
  rateOf,
  suppress,
  suppressedLabel,
  toCsv,
  type CsvValue,
  type RateDecision,
} from '../domain/disclosure';

export interface PublicSettings {
  /** Cell edge in metres (PUBLIC_CELL_M). */
  cellM: number;
  /** Suppression threshold (PUBLIC_MIN_COUNT). */
  minCount: number;
  /** Requests per minute per client (PUBLIC_RATE_PER_MIN). */
  ratePerMin: number;
  /** Cache lifetime in seconds (PUBLIC_CACHE_S). */
  cacheS: number;
}

export interface PublicServiceDeps {
  repo: Pick<
    PublicRepository,
    'streetGroupMonths' | 'departmentVolumes' | 'trend' | 'cellCounts' | 'ticketCount'
  >;
  /** Street and district boundaries (public geography, no personal data) as GeoJSON text. */
  boundaries: { streetsGeoJson(): Promise<string>; districtsGeoJson(): Promise<string> };
  settings: PublicSettings;
  /** The clock (tests pass a fixed one). */
  now?: () => Date;
}

/** A serialised response body with what HTTP needs to serve and revalidate it. */
export interface PublicPayload {
  body: string;
  /** Strong ETag (quoted). */
  etag: string;
  contentType: string;
  /** Suggested file name for downloads. */
  filename?: string;
}

/** A dataset as data (for page loads) and as JSON (for the API), computed together. */
interface Entry<T> {
  data: T;
  json: PublicPayload;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8; header=present';
const GEOJSON_TYPE = 'application/geo+json; charset=utf-8';
const DAY = 86_400_000;
const SHANGHAI = 8 * 3_600_000;

const payload = (body: string, contentType: string, filename?: string): PublicPayload => ({
  body,
  contentType,
  filename,
  etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
});

/** The start (UTC instant) of the Shanghai month `back` months before the one `now` falls in. */
export function monthStart(now: Date, back: number): Date {
  const local = new Date(now.getTime() + SHANGHAI);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - back, 1) - SHANGHAI);
}

/** The 12 "YYYY-MM" months ending with the current one, oldest first. */
export function lastMonths(now: Date, count = 12): string[] {
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(monthStart(now, count - 1 - i).getTime() + SHANGHAI);
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

const groupNames = new Map(CATEGORY_GROUPS.map((g) => [g.code, g]));

export function publicService(deps: PublicServiceDeps) {
  const { repo, settings } = deps;
  const clock = deps.now ?? (() => new Date());
  const min = settings.minCount;
  const limiter = new RateLimiter(settings.ratePerMin);
  const cache = new Map<string, { expires: number; value: Promise<unknown> }>();

  /** The cached value of `key`, computed once per cache period; concurrent misses share one computation. */
  function cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.value as Promise<T>;
    const value = compute();
    cache.set(key, { expires: now + settings.cacheS * 1000, value });
    // A failed computation is not kept: the next request tries again.
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  }

  function window(now: Date) {
    return { since: monthStart(now, 11), until: now };
  }

  function meta(now: Date, since: Date): PublicMeta {
    return {
      generatedAt: now.toISOString(),
      since: since.toISOString(),
      until: now.toISOString(),
      minCount: min,
      cellM: settings.cellM,
      cacheS: settings.cacheS,
      licence: PUBLIC_LICENCE.id,
    };
  }

  const entry = <T>(data: T): Entry<T> => ({ data, json: payload(JSON.stringify(data), JSON_TYPE) });
  const counted = (name: 'tickets' | 'cases' | 'resolved' | 'rated', n: number) => {
    const d = suppress(n, min);
    return { [name]: d.count, [`${name}Suppressed`]: d.suppressed } as Record<
      string,
      number | null | boolean
    >;
  };

  function summary(): Promise<Entry<PublicSummary>> {
    return cached('summary', async () => {
      const now = clock();
      const { since, until } = window(now);
      const [trend, departments, recent] = await Promise.all([
        repo.trend(since, until),
        repo.departmentVolumes(since, until),
        repo.ticketCount(new Date(now.getTime() - 30 * DAY), until),
      ]);
      const sum = <K extends string>(rows: Record<K, number>[], k: K) => rows.reduce((s, r) => s + r[k], 0);
      return entry<PublicSummary>({
        meta: meta(now, since),
        tickets: suppress(sum(trend, 'tickets'), min),
        tickets30d: suppress(recent, min),
        cases: suppress(sum(trend, 'cases'), min),
        resolved: suppress(sum(trend, 'resolved'), min),
        onTimeRate: rateOf(sum(departments, 'onTime'), sum(departments, 'resolvedWithDeadline'), min),
        satisfactionRate: rateOf(sum(departments, 'satisfied'), sum(departments, 'rated'), min),
      });
    });
  }

  function streets(): Promise<Entry<PublicStreets>> {
    return cached('streets', async () => {
      const now = clock();
      const { since, until } = window(now);
      const rows = await repo.streetGroupMonths(since, until);
      const row = (r: (typeof rows)[number], month: string | null): PublicStreetRow => {
        const g = groupNames.get(r.group);
        return {
          month,
          streetCode: r.streetCode,
          streetName: r.streetName,
          streetNameEn: r.streetNameEn,
          districtName: r.districtName,
          districtNameEn: r.districtNameEn,
          group: r.group,
          groupName: g?.name ?? r.group,
          groupNameEn: g?.nameEn ?? r.group,
          ...counted('tickets', r.tickets),
          ...counted('cases', r.cases),
        } as PublicStreetRow;
      };
      // Totals are summed from the raw counts before suppression, then suppressed themselves.
      const totals = new Map<string, (typeof rows)[number]>();
      for (const r of rows) {
        const key = `${r.streetCode ?? ''}|${r.group}`;
        const t = totals.get(key) ?? { ...r, tickets: 0, cases: 0 };
        t.tickets += r.tickets;
        t.cases += r.cases;
        totals.set(key, t);
      }
      return entry<PublicStreets>({
        meta: meta(now, since),
        months: rows.map((r) => row(r, r.month)),
        totals: [...totals.values()].map((r) => row(r, null)),
      });
    });
  }

  function departments(): Promise<Entry<PublicDepartments>> {
    return cached('departments', async () => {
      const now = clock();
      const { since, until } = window(now);
      const rows = await repo.departmentVolumes(since, until);
      return entry<PublicDepartments>({
        meta: meta(now, since),
        departments: rows.map(
          (r) =>
            ({
              departmentCode: r.departmentCode,
              name: r.name,
              nameEn: r.nameEn,
              kind: r.kind,
              ...counted('cases', r.cases),
              ...counted('resolved', r.resolved),
              onTimeRate: rateOf(r.onTime, r.resolvedWithDeadline, min),
              ...counted('rated', r.rated),
              satisfactionRate: rateOf(r.satisfied, r.rated, min),
            }) as PublicDepartments['departments'][number],
        ),
      });
    });
  }

  function trend(): Promise<Entry<PublicTrend>> {
    return cached('trend', async () => {
      const now = clock();
      const { since, until } = window(now);
      const rows = new Map((await repo.trend(since, until)).map((r) => [r.month, r]));
      return entry<PublicTrend>({
        meta: meta(now, since),
        months: lastMonths(now).map((month) => {
          const r = rows.get(month) ?? { tickets: 0, cases: 0, resolved: 0 };
          return {
            month,
            ...counted('tickets', r.tickets),
            ...counted('cases', r.cases),
            ...counted('resolved', r.resolved),
          } as PublicTrend['months'][number];
        }),
      });
    });
  }

  function cells(days: CellWindow): Promise<Entry<PublicCells>> {
    return cached(`cells:${days}`, async () => {
      const now = clock();
      const since = new Date(now.getTime() - days * DAY);
      const rows = await repo.cellCounts(settings.cellM, since, now);
      return entry<PublicCells>({
        meta: meta(now, since),
        days,
        cells: rows.map((r) => {
          const cell = cellAt(r.ix, r.iy, settings.cellM);
          const d = suppress(r.tickets, min);
          return {
            cell: cell.id,
            ix: r.ix,
            iy: r.iy,
            lon: cell.centre[0],
            lat: cell.centre[1],
            tickets: d.count,
            ticketsSuppressed: d.suppressed,
          };
        }),
      });
    });
  }

  const shown = (v: number | null, hidden: boolean): CsvValue => (hidden ? suppressedLabel(min) : v);

  /** A download's body: CSV of the dataset's rows, or GeoJSON of the cells. */
  async function download(
    dataset: DownloadDataset,
    format: DownloadFormat,
    days: CellWindow,
  ): Promise<PublicPayload | null> {
    if (!(PUBLIC_DOWNLOADS[dataset] as readonly string[]).includes(format)) return null;
    const name = dataset === 'cells' ? `citynerve-cells-${days}d` : `citynerve-${dataset}`;
    return cached(`download:${dataset}.${format}:${days}`, async () => {
      if (dataset === 'cells') {
        const c = (await cells(days)).data;
        if (format === 'geojson') {
          const fc = cellsGeoJson(
            c.cells.map((r) => ({ ix: r.ix, iy: r.iy, count: r.tickets, suppressed: r.ticketsSuppressed })),
            settings.cellM,
            { name, ...c.meta, days },
          );
          return payload(JSON.stringify(fc), GEOJSON_TYPE, `${name}.geojson`);
        }
        return payload(
          toCsv(
            ['cell', 'centre_lon', 'centre_lat', 'cell_m', 'days', 'tickets'],
            c.cells.map((r) => [
              r.cell,
              r.lon,
              r.lat,
              settings.cellM,
              days,
              shown(r.tickets, r.ticketsSuppressed),
            ]),
          ),
          CSV_TYPE,
          `${name}.csv`,
        );
      }
      if (dataset === 'streets') {
        const s = (await streets()).data;
        return payload(
          toCsv(
            [
              'month',
              'district',
              'district_en',
              'street_code',
              'street',
              'street_en',
              'group',
              'group_name',
              'group_name_en',
              'tickets',
              'cases',
            ],
            s.months.map((r) => [
              r.month,
              r.districtName,
              r.districtNameEn,
              r.streetCode,
              r.streetName,
              r.streetNameEn,
              r.group,
              r.groupName,
              r.groupNameEn,
              shown(r.tickets, r.ticketsSuppressed),
              shown(r.cases, r.casesSuppressed),
            ]),
          ),
          CSV_TYPE,
          `${name}.csv`,
        );
      }
      if (dataset === 'departments') {
        const d = (await departments()).data;
        return payload(
          toCsv(
            [
              'department_code',
              'name',
              'name_en',
              'kind',
              'cases',
              'resolved',
              'on_time_rate',
              'rated',
              'satisfaction_rate',
            ],
            d.departments.map((r) => [
              r.departmentCode,
              r.name,
              r.nameEn,
              r.kind,
              shown(r.cases, r.casesSuppressed),
              shown(r.resolved, r.resolvedSuppressed),
              r.onTimeRate,
              shown(r.rated, r.ratedSuppressed),
              r.satisfactionRate,
            ]),
          ),
          CSV_TYPE,
          `${name}.csv`,
        );
      }
      const t = (await trend()).data;
      return payload(
        toCsv(
          ['month', 'tickets', 'cases', 'resolved'],
          t.months.map((r) => [
            r.month,
            shown(r.tickets, r.ticketsSuppressed),
            shown(r.cases, r.casesSuppressed),
            shown(r.resolved, r.resolvedSuppressed),
          ]),
        ),
        CSV_TYPE,
        `${name}.csv`,
      );
    });
  }

  return {
    settings,
    summary,
    streets,
    departments,
    trend,
    cells,
    download,
    /** Street (level "streets") or district boundaries as GeoJSON, for the public map. */
    boundaries(level: 'streets' | 'districts'): Promise<PublicPayload> {
      return cached(`boundaries:${level}`, async () =>
        payload(
          await (level === 'streets' ? deps.boundaries.streetsGeoJson() : deps.boundaries.districtsGeoJson()),
          GEOJSON_TYPE,
        ),
      );
    },
    /** Takes one request from the client's allowance (`now` in ms). */
    limit(client: string, now: number): RateDecision {
      return limiter.take(client, now);
    },
    /** Forgets every cached dataset (tests; a deployment waits for the TTL). */
    clear(): void {
      cache.clear();
    },
  };
}

export type PublicService = ReturnType<typeof publicService>;

// One service (with its cache and rate limiter) per App, built on first use, so server/app.ts stays as it
// is; a WeakMap lets a test's App and its service be collected together.
const services = new WeakMap<App, PublicService>();

/** The public view of `app`, built from its configuration and database on first use. */
export function publicServiceOf(app: App): PublicService {
  let svc = services.get(app);
  if (!svc) {
    svc = publicService({
      repo: publicRepository(app.db),
      boundaries: app.repos.map,
      settings: {
        cellM: app.config.PUBLIC_CELL_M,
        minCount: app.config.PUBLIC_MIN_COUNT,
        ratePerMin: app.config.PUBLIC_RATE_PER_MIN,
        cacheS: app.config.PUBLIC_CACHE_S,
      },
    });
    services.set(app, svc);
  }
  return svc;
}
