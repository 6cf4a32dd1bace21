// Benchmark: generate the demo city with 500,000 sensors into a throw-away database on a real PostgreSQL,
// print a table, and record the result with the machine in docs/benchmarks.md.
// Run: node --import tsx bench/generate-city.ts   (BENCH_DATABASE_URL, BENCH_SENSORS optional)
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { migrate, openPostgres } from '../server/db/client';
import { generateDemoCity } from '../server/sim/generate-city';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const sensorCount = Number(process.env.BENCH_SENSORS ?? 500_000);
const SECTION = '## Demo city generation';

/** Replaces the section with the same heading, or appends it, keeping the rest of the file. */
function writeSection(file: string, body: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf(SECTION);
  let out: string;
  if (start === -1) {
    out = `${text.trimEnd()}\n\n${body}`;
  } else {
    const next = text.indexOf('\n## ', start + SECTION.length);
    out = text.slice(0, start) + body + (next === -1 ? '' : text.slice(next + 1));
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, out.trimEnd() + '\n');
}

async function main() {
  const name = `citynerve_bench_${Date.now().toString(36)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  // The machine may be shared; the load at the start says how much to trust the numbers.
  const loadAtStart = os.loadavg()[0];
  try {
    const db = await openPostgres(url.toString());
    try {
      await migrate(db);
      const result = await generateDemoCity(db, {
        sensorCount,
        seed: 'bench',
        log: (msg) => console.log(`  ${msg}`),
      });
      const seconds = result.ms / 1000;
      const rows: [string, string][] = [
        ['sensors', result.sensors.toLocaleString('en-US')],
        ['streets', String(result.streets)],
        ['grid cells', String(result.gridCells)],
        ['seconds', seconds.toFixed(1)],
        ['sensors / s', Math.round(result.sensors / seconds).toLocaleString('en-US')],
      ];
      console.log('');
      console.table(Object.fromEntries(rows));

      const [version] = await db.rows<{ pg: string; postgis: string }>(
        (await import('drizzle-orm'))
          .sql`select current_setting('server_version') as pg, postgis_lib_version() as postgis`,
      );
      const cpu = os.cpus();
      const machine =
        `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ` +
        `${os.type()} ${os.release()}, Node ${process.version}, PostgreSQL ${version.pg} + PostGIS ${version.postgis}, ` +
        `load average ${loadAtStart.toFixed(1)} at start`;
      const body = [
        SECTION,
        '',
        `\`node --import tsx bench/generate-city.ts\` — ${new Date().toISOString().slice(0, 10)}, ${machine}.`,
        'One transaction: 27 streets with Voronoi geometry, departments, grid cells, sensors and their',
        'initial state, into a fresh database.',
        '',
        '| metric | value |',
        '|---|---|',
        ...rows.map(([k, v]) => `| ${k} | ${v} |`),
        '',
      ].join('\n');
      writeSection(path.join(root, 'docs', 'benchmarks.md'), body);
      console.log(`\nWritten to docs/benchmarks.md (${SECTION}).`);
    } finally {
      await db.close();
    }
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
