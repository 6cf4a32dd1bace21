// Writes a PMTiles v3 archive (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): a 127-byte
// header, the root directory, JSON metadata, leaf directories and the tile data, clustered in tile-id
// order. Directories and tiles are gzip-compressed. Reading is left to the `pmtiles` package.
import { gzipSync } from 'node:zlib';
import { zxyToTileId } from 'pmtiles';

export interface ArchiveTile {
  z: number;
  x: number;
  y: number;
  /** The uncompressed tile (a Mapbox Vector Tile). */
  data: Uint8Array;
}

export interface ArchiveOptions {
  minZoom: number;
  maxZoom: number;
  /** [west, south, east, north] in degrees. */
  bounds: [number, number, number, number];
  center: [number, number, number];
  metadata: Record<string, unknown>;
}

interface Entry {
  tileId: number;
  offset: number;
  length: number;
  runLength: number;
}

const HEADER_BYTES = 127;
const ROOT_LIMIT = 16_384 - HEADER_BYTES;
const GZIP = 2;
const MVT = 1;

function varint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function serializeDirectory(entries: Entry[]): Uint8Array {
  const out: number[] = [];
  varint(out, entries.length);
  let last = 0;
  for (const e of entries) {
    varint(out, e.tileId - last);
    last = e.tileId;
  }
  for (const e of entries) varint(out, e.runLength);
  for (const e of entries) varint(out, e.length);
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    varint(out, i > 0 && e.offset === prev.offset + prev.length ? 0 : e.offset + 1);
  });
  return gzipSync(Uint8Array.from(out));
}

/** The root directory, and leaf directories when the root alone would not fit the first 16 KiB. */
function directories(entries: Entry[]): { root: Uint8Array; leaves: Uint8Array } {
  const root = serializeDirectory(entries);
  if (root.length <= ROOT_LIMIT) return { root, leaves: new Uint8Array(0) };
  for (let perLeaf = 4096; ; perLeaf *= 2) {
    const leafChunks: Uint8Array[] = [];
    const rootEntries: Entry[] = [];
    let offset = 0;
    for (let i = 0; i < entries.length; i += perLeaf) {
      const leaf = serializeDirectory(entries.slice(i, i + perLeaf));
      rootEntries.push({ tileId: entries[i].tileId, offset, length: leaf.length, runLength: 0 });
      leafChunks.push(leaf);
      offset += leaf.length;
    }
    const rootDir = serializeDirectory(rootEntries);
    if (rootDir.length <= ROOT_LIMIT) return { root: rootDir, leaves: Buffer.concat(leafChunks) };
  }
}

function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

export function writePmtiles(tiles: ArchiveTile[], options: ArchiveOptions): Buffer {
  const sorted = tiles
    .map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), data: gzipSync(t.data) }))
    .sort((a, b) => a.id - b.id);
  const entries: Entry[] = [];
  let offset = 0;
  for (const t of sorted) {
    entries.push({ tileId: t.id, offset, length: t.data.length, runLength: 1 });
    offset += t.data.length;
  }
  const { root, leaves } = directories(entries);
  const metadata = gzipSync(Buffer.from(JSON.stringify(options.metadata), 'utf8'));
  const tileData = Buffer.concat(sorted.map((t) => t.data));

  const header = new DataView(new ArrayBuffer(HEADER_BYTES));
  'PMTiles'.split('').forEach((ch, i) => header.setUint8(i, ch.charCodeAt(0)));
  header.setUint8(7, 3);
  const rootOffset = HEADER_BYTES;
  const metadataOffset = rootOffset + root.length;
  const leavesOffset = metadataOffset + metadata.length;
  const tilesOffset = leavesOffset + leaves.length;
  writeU64(header, 8, rootOffset);
  writeU64(header, 16, root.length);
  writeU64(header, 24, metadataOffset);
  writeU64(header, 32, metadata.length);
  writeU64(header, 40, leavesOffset);
  writeU64(header, 48, leaves.length);
  writeU64(header, 56, tilesOffset);
  writeU64(header, 64, tileData.length);
  writeU64(header, 72, entries.length);
  writeU64(header, 80, entries.length);
  writeU64(header, 88, entries.length);
  header.setUint8(96, 1); // clustered
  header.setUint8(97, GZIP);
  header.setUint8(98, GZIP);
  header.setUint8(99, MVT);
  header.setUint8(100, options.minZoom);
  header.setUint8(101, options.maxZoom);
  const [west, south, east, north] = options.bounds;
  header.setInt32(102, Math.round(west * 1e7), true);
  header.setInt32(106, Math.round(south * 1e7), true);
  header.setInt32(110, Math.round(east * 1e7), true);
  header.setInt32(114, Math.round(north * 1e7), true);
  header.setUint8(118, options.center[2]);
  header.setInt32(119, Math.round(options.center[0] * 1e7), true);
  header.setInt32(123, Math.round(options.center[1] * 1e7), true);
  return Buffer.concat([new Uint8Array(header.buffer), root, metadata, leaves, tileData]);
}
