// Command line: `npm run import:basemap -- [--out basemap.pmtiles] <file.osm|file.geojson>...` turns
// OpenStreetMap-derived files (roads with names, water, parks, metro stations) into one PMTiles archive of
// vector tiles for BASEMAP_PMTILES. Needs no database and no running server.
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BasemapInputError, buildBasemap, type SourceFile } from '../basemap/build';

const USAGE = 'usage: npm run import:basemap -- [--out basemap.pmtiles] <file.osm|file.geojson>...';

class CliError extends Error {}

async function readSourceFile(file: string): Promise<SourceFile> {
  try {
    return { name: path.basename(file), text: await readFile(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new CliError(`Cannot read ${path.resolve(file)}: ${reason}`);
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let out = 'basemap.pmtiles';
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') {
      out = argv[++i] ?? '';
      if (!out) throw new CliError('--out needs a file name');
    } else if (argv[i].startsWith('-')) throw new CliError(`unknown option ${argv[i]}\n${USAGE}`);
    else files.push(argv[i]);
  }
  if (files.length === 0) {
    console.error(USAGE);
    return 1;
  }
  const sources = await Promise.all(files.map(readSourceFile));
  const t0 = Date.now();
  const built = buildBasemap(sources);
  // Written next to the target and renamed, so a running server never reads half an archive.
  const target = path.resolve(out);
  await writeFile(`${target}.tmp`, built.archive);
  await rename(`${target}.tmp`, target);
  const rows = built.counts.map((c) => [
    c.file,
    String(c.read),
    String(c.kept.roads),
    String(c.namedRoads),
    String(c.kept.water),
    String(c.kept.landuse),
    String(c.kept.pois),
  ]);
  const head = ['file', 'features', 'roads', 'named', 'water', 'parks', 'stations'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    '  ' + r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  for (const c of built.counts) for (const s of c.skipped) console.log(`  ${c.file}: skipped ${s}`);
  const [w, s, e, n] = built.bounds.map((v) => v.toFixed(4));
  console.log(
    `Wrote ${target}: ${built.tiles} tiles, zoom 10–16, ${(built.archive.length / 1024).toFixed(0)} KiB, ` +
      `bounds ${w},${s} – ${e},${n}, in ${Date.now() - t0} ms.`,
  );
  console.log(`Start CityNerve with BASEMAP_PMTILES=${target} to draw it.`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof CliError || err instanceof BasemapInputError ? (err as Error).message : err);
    process.exit(1);
  },
);
