// Street and district boundaries as the maps load them: one JSON body `{ streets, districts }` built once
// in PostGIS and kept with its gzip and brotli bytes and a strong ETag, until the boundaries change.
// A change may come from another process (`npm run import:boundaries` against the same PostgreSQL), so
// every use first asks the database for the tables' row versions (a query over a few hundred ids and
// transaction ids, no geometry): any insert, update or delete of a street or district changes it.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Logger } from '../log';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** What the boundary cache reads (the map repository). */
export interface BoundarySource {
  /** Changes whenever a street or district row is inserted, updated or deleted. */
  boundariesVersion(): Promise<string>;
  streetsGeoJson(): Promise<string>;
  districtsGeoJson(): Promise<string>;
}

/** The boundaries encoded once, ready to send. */
export interface BoundaryBody {
  /** The database version these bytes were built from. */
  version: string;
  /** Strong ETag (quoted), a hash of the JSON: equal on every node that has the same boundaries. */
  etag: string;
  /** Streets as a GeoJSON FeatureCollection (text). */
  streets: string;
  /** Districts as a GeoJSON FeatureCollection (text). */
  districts: string;
  /** `{"streets":…,"districts":…}`, UTF-8. */
  json: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  br: Uint8Array<ArrayBuffer>;
}

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** The best coding the client accepts (Accept-Encoding, q-values honoured): br, then gzip, else none. */
export function preferredCoding(acceptEncoding: string | null): ContentCoding {
  if (!acceptEncoding) return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  const accepted = (c: string) => (q.get(c) ?? q.get('*') ?? 0) > 0;
  if (accepted('br')) return 'br';
  if (accepted('gzip')) return 'gzip';
  return 'identity';
}

export function boundariesService(deps: { source: BoundarySource; log?: Logger }) {
  let current: BoundaryBody | null = null;
  /** The build under way, so that clients arriving together share it. */
  let building: { version: string; body: Promise<BoundaryBody> } | null = null;

  async function build(version: string): Promise<BoundaryBody> {
    const t0 = performance.now();
    // Version first, data after: data newer than its version is only rebuilt once more, never kept stale.
    const [streets, districts] = [await deps.source.streetsGeoJson(), await deps.source.districtsGeoJson()];
    const json = Buffer.from(`{"streets":${streets},"districts":${districts}}`, 'utf8');
    const [gz, br] = await Promise.all([
      gzipAsync(json, { level: 9 }),
      brotliAsync(json, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 9,
          [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
        },
      }),
    ]);
    const etag = `"b-${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
    deps.log?.info('map boundaries encoded', {
      ms: Math.round(performance.now() - t0),
      bytes: json.length,
      gzip: gz.length,
      br: br.length,
    });
    // Own ArrayBuffers (not slices of Node's pool), as a Response body takes them.
    const own = (b: Buffer) => new Uint8Array(b);
    return { version, etag, streets, districts, json: own(json), gzip: own(gz), br: own(br) };
  }

  /** The boundaries as stored now: the cached body when the tables did not change since it was built. */
  async function body(): Promise<BoundaryBody> {
    const version = await deps.source.boundariesVersion();
    if (current?.version === version) return current;
    if (building?.version !== version) {
      const mine = { version, body: build(version) };
      building = mine;
      mine.body.then(
        (b) => {
          current = b;
          if (building === mine) building = null;
        },
        () => {
          if (building === mine) building = null;
        },
      );
    }
    return building.body;
  }

  return {
    body,
    /** Streets alone (the public view's own cache keeps these per level). */
    streetsGeoJson: async () => (await body()).streets,
    /** Districts alone. */
    districtsGeoJson: async () => (await body()).districts,
  };
}

export type BoundariesService = ReturnType<typeof boundariesService>;
