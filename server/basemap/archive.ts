// The deployment's basemap: a PMTiles archive of vector tiles on local disk (a Protomaps extract, or what
// `npm run import:basemap` wrote), read with the `pmtiles` package and served tile by tile by CityNerve
// itself, so the browser asks nothing of any other host.
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PMTiles, TileType, type Source } from 'pmtiles';
import type { BasemapInfo } from '../../src/lib/map/basemap-info';

export interface Basemap {
  info: BasemapInfo;
  file: string;
  /** The tile, gzip-compressed, or null when the archive has none there (an empty tile). */
  tile(z: number, x: number, y: number): Promise<Buffer | null>;
  close(): Promise<void>;
}

export class BasemapError extends Error {}

class FileHandleSource implements Source {
  constructor(
    private readonly handle: FileHandle,
    private readonly key: string,
  ) {}
  getKey(): string {
    return this.key;
  }
  async getBytes(offset: number, length: number) {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, offset);
    const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + bytesRead) as ArrayBuffer;
    return { data };
  }
}

const DEFAULT_ATTRIBUTION = '© OpenStreetMap contributors';
const CACHE_TILES = 512;

export async function openBasemap(file: string): Promise<Basemap> {
  const full = path.resolve(file);
  try {
    const s = await stat(full);
    if (!s.isFile()) throw new BasemapError(`BASEMAP_PMTILES=${file}: not a file`);
  } catch (err) {
    if (err instanceof BasemapError) throw err;
    throw new BasemapError(
      `BASEMAP_PMTILES=${file}: cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  const handle = await open(full, 'r');
  try {
    const archive = new PMTiles(new FileHandleSource(handle, full));
    const header = await archive.getHeader().catch((err: Error) => {
      throw new BasemapError(`BASEMAP_PMTILES=${file}: not a PMTiles v3 archive (${err.message})`);
    });
    if (header.tileType !== TileType.Mvt)
      throw new BasemapError(
        `BASEMAP_PMTILES=${file}: holds ${TileType[header.tileType] ?? 'unknown'} tiles; CityNerve draws vector (MVT) basemaps`,
      );
    const metadata = ((await archive.getMetadata().catch(() => ({}))) ?? {}) as {
      attribution?: unknown;
      vector_layers?: { id?: unknown }[];
    };
    // Attribution may be HTML in third-party archives; the map shows it as text.
    const attribution =
      typeof metadata.attribution === 'string' && metadata.attribution.trim()
        ? metadata.attribution.replace(/<[^>]*>/g, '').trim()
        : DEFAULT_ATTRIBUTION;
    const info: BasemapInfo = {
      minZoom: header.minZoom,
      maxZoom: header.maxZoom,
      bounds: [header.minLon, header.minLat, header.maxLon, header.maxLat],
      attribution,
      layers: (metadata.vector_layers ?? []).map((l) => String(l.id ?? '')).filter(Boolean),
    };
    const cache = new Map<string, Buffer | null>();
    return {
      info,
      file: full,
      async tile(z, x, y) {
        if (z < info.minZoom || z > info.maxZoom) return null;
        const key = `${z}/${x}/${y}`;
        if (cache.has(key)) return cache.get(key) ?? null;
        const r = await archive.getZxy(z, x, y);
        const data = r && r.data.byteLength > 0 ? gzipSync(new Uint8Array(r.data)) : null;
        if (cache.size >= CACHE_TILES) cache.delete(cache.keys().next().value as string);
        cache.set(key, data);
        return data;
      },
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
