// PostGIS for embedded PGlite without the parts CityNerve never loads. The stock bundle unpacks 95 MB into
// PGlite's in-memory file system and instantiates all three of its libraries at start — postgis, raster
// and topology — though only `CREATE EXTENSION postgis` is ever run: with the Blob PGlite keeps of it,
// about 230 MB of RSS for nothing (docs/benchmarks.md, "Server memory"). This copy of the bundle keeps postgis itself (library, control
// file, install and upgrade scripts) and PROJ's data, and is written once next to the package's own.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Extension } from '@electric-sql/pglite';

/** Which files of the bundle an embedded CityNerve needs: the postgis extension and PROJ's data. */
export function keepInBundle(name: string): boolean {
  if (name === 'lib/postgresql/postgis-3.so' || name.startsWith('share/proj/')) return true;
  const script = name.match(/^share\/postgresql\/extension\/([a-z_]+)(\.control|--.*\.sql)$/);
  // "--unpackaged--" scripts convert pre-extension (PostgreSQL 9.0) installs.
  return script !== null && script[1] === 'postgis' && !name.includes('--unpackaged');
}

/** A tar archive without the entries `keep` refuses (extended headers travel with their entry). */
export function filterTar(tar: Uint8Array, keep: (name: string) => boolean): Buffer {
  const buf = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  const out: Buffer[] = [];
  let pending: Buffer[] = [];
  let longName: string | null = null;
  let offset = 0;
  while (offset + 512 <= buf.length) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, end: number) => header.toString('latin1', start, end).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 136).trim() || '0', 8);
    const entry = buf.subarray(offset, offset + 512 + Math.ceil(size / 512) * 512);
    offset += entry.length;
    const type = String.fromCharCode(header[156] || 0x30);
    if (type === 'x' || type === 'L' || type === 'K' || type === 'g') {
      pending.push(entry);
      if (type === 'L') longName = entry.toString('utf8', 512, 512 + size).replace(/\0.*$/s, '');
      const pax = type === 'x' ? entry.toString('utf8', 512, 512 + size).match(/\d+ path=([^\n]*)\n/) : null;
      if (pax) longName = pax[1];
      continue;
    }
    const prefix = field(345, 500);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    if (keep(name.replace(/^\.\//, '')) || name.endsWith('/')) out.push(...pending, entry);
    pending = [];
    longName = null;
  }
  out.push(Buffer.alloc(1024));
  return Buffer.concat(out);
}

/**
 * The postgis extension for PGlite, loading the trimmed bundle. It is made on first use (about a second)
 * in `cacheDir`, named after the stock bundle's size and time, so an upgraded package makes a new one.
 */
export async function trimmedPostgis(cacheDir = path.join(tmpdir(), 'citynerve-pglite')): Promise<Extension> {
  const { postgis } = await import('@electric-sql/pglite-postgis');
  const stock = path.join(
    path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite-postgis')),
    'postgis.tar.gz',
  );
  const { size, mtimeMs } = statSync(stock);
  const trimmed = path.join(cacheDir, `postgis-${size}-${Math.round(mtimeMs)}.tar.gz`);
  if (!existsSync(trimmed)) {
    mkdirSync(cacheDir, { recursive: true });
    const tar = filterTar(gunzipSync(readFileSync(stock)), keepInBundle);
    // Written aside and renamed: two processes starting at once never read half a file.
    const part = `${trimmed}.${process.pid}.part`;
    writeFileSync(part, gzipSync(tar, { level: 1 }));
    renameSync(part, trimmed);
  }
  return {
    name: postgis.name,
    async setup(pg, emscriptenOpts) {
      const stockSetup = await postgis.setup(pg, emscriptenOpts);
      return { ...stockSetup, bundlePath: pathToFileURL(trimmed) };
    },
  };
}
