import { describe, expect, it } from 'vitest';
import { filterTar, keepInBundle } from './pglite-postgis';

/** A ustar entry: header and data padded to 512 bytes. */
function entry(name: string, data = '', type = '0'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'latin1');
  header.write(Buffer.byteLength(data).toString(8).padStart(11, '0'), 124, 'latin1');
  header.write(type, 156, 'latin1');
  header.write('ustar', 257, 'latin1');
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(data) / 512) * 512);
  body.write(data);
  return Buffer.concat([header, body]);
}

function names(tar: Buffer): string[] {
  const out: string[] = [];
  for (let o = 0; o + 512 <= tar.length;) {
    const h = tar.subarray(o, o + 512);
    if (h.every((b) => b === 0)) break;
    out.push(h.toString('latin1', 0, 100).replace(/\0.*$/s, ''));
    o += 512 + Math.ceil(parseInt(h.toString('latin1', 124, 135), 8) / 512) * 512;
  }
  return out;
}

describe('the trimmed PostGIS bundle', () => {
  it('keeps the postgis library, its control file, install and upgrade scripts, and PROJ data', () => {
    for (const name of [
      'lib/postgresql/postgis-3.so',
      'share/postgresql/extension/postgis.control',
      'share/postgresql/extension/postgis--3.6.2.sql',
      'share/postgresql/extension/postgis--3.5.0--3.6.2.sql',
      'share/proj/proj.db',
    ])
      expect(keepInBundle(name), name).toBe(true);
  });

  it('drops raster, topology and the geocoder, pre-extension scripts and loose contrib scripts', () => {
    for (const name of [
      'lib/postgresql/postgis_raster-3.so',
      'lib/postgresql/postgis_topology-3.so',
      'share/postgresql/extension/postgis_raster--3.6.2.sql',
      'share/postgresql/extension/postgis_topology.control',
      'share/postgresql/extension/postgis_tiger_geocoder--3.6.2.sql',
      'share/postgresql/extension/postgis--unpackaged--3.6.2.sql',
      'share/postgresql/contrib/postgis-3.6/spatial_ref_sys.sql',
    ])
      expect(keepInBundle(name), name).toBe(false);
  });

  it('filters a tar archive entry by entry, keeping folders and a long name with its entry', () => {
    const tar = Buffer.concat([
      entry('lib/', '', '5'),
      entry('lib/a.so', 'x'.repeat(700)),
      entry('lib/b.so', 'y'.repeat(10)),
      entry('././@LongLink', 'lib/long-name-kept.so\0', 'L'),
      entry('lib/long-name-kep', 'z'),
      entry('lib/c.so', 'w'),
      Buffer.alloc(1024),
    ]);
    const out = filterTar(tar, (n) => n === 'lib/a.so' || n === 'lib/long-name-kept.so');
    expect(names(out)).toEqual(['lib/', 'lib/a.so', '././@LongLink', 'lib/long-name-kep']);
    // The kept entry's data travels whole, and the archive ends with two zero blocks.
    expect(out.subarray(1024, 1024 + 700).toString()).toBe('x'.repeat(700));
    expect(out.subarray(out.length - 1024).every((b) => b === 0)).toBe(true);
  });
});
