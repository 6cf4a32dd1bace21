// The public transparency view: aggregates from the repository turned into published datasets (small
// counts suppressed, places as grid cells), serialised once per PUBLIC_CACHE_S for the whole cluster (the
// shared store, server/cluster/shared-store.ts) and kept in this process's memory meanwhile, so a burst of
// anonymous traffic is answered without touching the database; plus the per-client rate limit, also
// shared, so a client's allowance is the cluster's and not each node's.
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
import type { SharedStore } from '../cluster/shared-store';
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
import type { Logger } from '../log';

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
  /** Rate buckets and serialised datasets shared with the cluster's other nodes. */
  store: SharedStore;
  /** The clock (tests pass a fixed one). */
  now?: () => Date;
  /** Where a failing shared store is reported (the service then falls back to this node alone). */
  log?: Logger;
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

/** A cached value as it goes into and comes out of the shared store. */
interface Codec<T> {
  toPayload(value: T): PublicPayload;
  fromPayload(p: PublicPayload): T;
}

/** What the shared store holds for a dataset: the payload and when its writer lets it expire. */
interface SharedPayload extends PublicPayload {
  expiresAt: number;
}

/**
 * Bumped when a payload's shape or meaning changes, so that during a rolling upgrade nodes of two releases
 * do not serve each other's entries.
 */
const SHARED_VERSION = 1;

const asPayload: Codec<PublicPayload> = { toPayload: (p) => p, fromPayload: (p) => p };
// The body IS JSON.stringify(data): a node that takes the payload from the shared store parses it once.
const asEntry: Codec<Entry<unknown>> = {
  toPayload: (e) => e.json,
  fromPayload: (p) => ({ data: JSON.parse(p.body) as unknown, json: p }),
};

/** A shared-store value read back, or null when it is not one of ours (another release, corruption). */
export function parseShared(text: string): SharedPayload | null {
  try {
    const v = JSON.parse(text) as Partial<SharedPayload>;
    if (
      typeof v.body !== 'string' ||
      typeof v.etag !== 'string' ||
      typeof v.contentType !== 'string' ||
      typeof v.expiresAt !== 'number'
    )
      return null;
    return {
      body: v.body,
      etag: v.etag,
      contentType: v.contentType,
      filename: typeof v.filename === 'string' ? v.filename : undefined,
      expiresAt: v.expiresAt,
    };
  } catch {
    return null;
  }
}

export function publicService(deps: PublicServiceDeps) {
  const { repo, settings, store } = deps;
  const clock = deps.now ?? (() => new Date());
  const min = settings.minCount;
  const cacheMs = settings.cacheS * 1000;
  const cache = new Map<string, { expires: number; value: Promise<unknown> }>();
  // Shared keys carry the settings that shape a dataset: a node started with another PUBLIC_MIN_COUNT
  // (say, mid-way through a config change) must not serve counts suppressed with the old threshold.
  const sharedKey = (key: string) => `v${SHARED_VERSION}:cell${settings.cellM}:min${min}:${key}`;
  /** Shared keys this node has used, for clear(). */
  const touched = new Set<string>();
  // When the shared store fails (Redis down), each node limits on its own: a client may then get up to
  // the allowance per node, which beats refusing everyone or limiting no one.
  const fallbackLimiter = new RateLimiter(settings.ratePerMin);
  let lastWarning = 0;

  function storeFailed(what: string, err: unknown) {
    const now = Date.now();
    // One line a minute per node: during an outage every request would fail the same way.
    if (now - lastWarning < 60_000) return;
    lastWarning = now;
    deps.log?.warn(`public view: shared store ${what} failed; this node answers alone`, {
      kind: store.kind,
      error: (err as Error)?.message ?? String(err),
    });
  }

  async function readShared(key: string): Promise<SharedPayload | null> {
    try {
      const text = await store.get(key);
      return text === null ? null : parseShared(text);
    } catch (err) {
      storeFailed('read', err);
      return null;
    }
  }

  async function writeShared(key: string, p: PublicPayload, expiresAt: number): Promise<void> {
    const value: SharedPayload = {
      body: p.body,
      etag: p.etag,
      contentType: p.contentType,
      filename: p.filename,
      expiresAt,
    };
    try {
      await store.set(key, JSON.stringify(value), settings.cacheS);
    } catch (err) {
      storeFailed('write', err);
    }
  }

  /**
   * The cached value of `key`: from this node's memory, else from the shared store (another node computed
   * it), else computed here and shared. Concurrent misses on this node share one computation; two nodes
   * missing at the same moment may both compute — accepted: the results are equal up to `generatedAt`, the
   * last write wins, and it costs one extra set of queries per cache period at most per node.
   */
  function cached<T>(key: string, compute: () => Promise<T>, codec: Codec<T>): Promise<T> {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.value as Promise<T>;
    const slot = { expires: now + cacheMs, value: undefined as unknown as Promise<unknown> };
    const value = (async (): Promise<T> => {
      // PUBLIC_CACHE_S=0 turns caching off: nothing to share.
      if (cacheMs === 0) return compute();
      const shared = sharedKey(key);
      touched.add(shared);
      const found = await readShared(shared);
      if (found) {
        // Expire here when the writer's copy does, so that all nodes move to the next ETag together.
        slot.expires = Math.min(slot.expires, found.expiresAt);
        const { expiresAt: _expiresAt, ...p } = found;
        return codec.fromPayload(p);
      }
      const v = await compute();
      await writeShared(shared, codec.toPayload(v), slot.expires);
      return v;
    })();
    slot.value = value;
    cache.set(key, slot);
    // A failed computation is not kept: the next request tries again.
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  }

  /** `cached` for a dataset served both as data (page loads) and JSON (the API). */
  const cachedEntry = <T>(key: string, compute: () => Promise<Entry<T>>) =>
    cached(key, compute, asEntry as Codec<Entry<T>>);
  const cachedPayload = (key: string, compute: () => Promise<PublicPayload>) =>
    cached(key, compute, asPayload);

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
    return cachedEntry('summary', async () => {
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
    return cachedEntry('streets', async () => {
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
    return cachedEntry('departments', async () => {
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
    return cachedEntry('trend', async () => {
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
    return cachedEntry(`cells:${days}`, async () => {
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
    return cachedPayload(`download:${dataset}.${format}:${days}`, async () => {
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
      return cachedPayload(`boundaries:${level}`, async () =>
        payload(
          await (level === 'streets' ? deps.boundaries.streetsGeoJson() : deps.boundaries.districtsGeoJson()),
          GEOJSON_TYPE,
        ),
      );
    },
    /** Takes one request from the client's allowance, shared by the cluster (`now` in ms). */
    async limit(client: string, now: number): Promise<RateDecision> {
      try {
        return await store.take(client || 'unknown', settings.ratePerMin, now);
      } catch (err) {
        storeFailed('rate limit', err);
        return fallbackLimiter.take(client, now);
      }
    },
    /**
     * Forgets every cached dataset, here and the shared copies this node used (tests; a deployment waits
     * for the TTL).
     */
    async clear(): Promise<void> {
      cache.clear();
      await Promise.all([...touched].map((k) => store.delete(k)));
      touched.clear();
    },
  };
}

export type PublicService = ReturnType<typeof publicService>;

// One service (with its in-process cache) per App, built on first use over the App's shared store, so
// server/app.ts stays as it is; a WeakMap lets a test's App and its service be collected together.
const services = new WeakMap<App, PublicService>();

/** The public view of `app`, built from its configuration and database on first use. */
export function publicServiceOf(app: App): PublicService {
  let svc = services.get(app);
  if (!svc) {
    svc = publicService({
      repo: publicRepository(app.db),
      boundaries: app.boundaries,
      settings: {
        cellM: app.config.PUBLIC_CELL_M,
        minCount: app.config.PUBLIC_MIN_COUNT,
        ratePerMin: app.config.PUBLIC_RATE_PER_MIN,
        cacheS: app.config.PUBLIC_CACHE_S,
      },
      store: app.shared,
      log: app.log,
    });
    services.set(app, svc);
  }
  return svc;
}
