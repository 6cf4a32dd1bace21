// Benchmark: generate the demo city with 500,000 sensors into a throw-away database on a real PostgreSQL,
// print a table, and record the result with the machine in docs/benchmarks.md.
// Run: node --import tsx bench/generate-city.ts   (BENCH_DATABASE_URL, BENCH_SENSORS optional)
import os from 'node:os';
import postgres from 'postgres';
import { migrate, openPostgres } from '../server/db/client';
import { generateDemoCity } from '../server/sim/generate-city';
import { BENCH_BASE_URL, machine, mdTable, writeSection } from './support';

const baseUrl = BENCH_BASE_URL;
const sensorCount = Number(process.env.BENCH_SENSORS ?? 500_000);
const SECTION = '## Demo city generation';

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
      const where = machine(`PostgreSQL ${version.pg} + PostGIS ${version.postgis}`).replace(
        /load average [\d.]+ at start/,
        `load average ${loadAtStart.toFixed(1)} at start`,
      );
      const body = [
        SECTION,
        '',
        `\`npm run bench:city\` — ${new Date().toISOString().slice(0, 10)}, ${where}.`,
        'One transaction: 27 streets with Voronoi geometry, departments, grid cells, sensors and their',
        'initial state, into a fresh database.',
        '',
        mdTable(rows),
        '',
      ].join('\n');
      writeSection(SECTION, body);
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
