// Benchmark: hot-spots over 1,000,000 hotline tickets spread over 90 days on a real PostgreSQL + PostGIS:
// time to compute the 7-day window (Gi* on 500 m cells, trends over 4 windows, streets of each hot cell),
// for all tickets and for one category group. Run: npm run bench:hotspots
import postgres from 'postgres';
import { migrate, openPostgres } from '../server/db/client';
import { hotspotsRepository } from '../server/db/repositories/hotspots.repository';
import { CATEGORIES } from '../server/domain/case-categories';
import { hotspotService } from '../server/services/hotspot.service';
import { generateDemoCity } from '../server/sim/generate-city';
import { machine, mdTable, throwAwayDatabase, writeSection } from './support';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SECTION = '## Hot-spots';

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  const throwAway = await throwAwayDatabase('citynerve_bench_hotspots');
  try {
    const db = await openPostgres(throwAway.url);
    await migrate(db);
    await generateDemoCity(db, { sensorCount: 1000, seed: 'bench-hotspots' });
    const sql = postgres(throwAway.url, { max: 1, onnotice: () => {} });
    const to = new Date('2026-11-20T00:00:00Z');
    const t0 = Date.now();
    console.log(`seeding ${TICKETS.toLocaleString()} tickets over 90 days…`);
    // Points: 85 % spread over the districts, 15 % around 40 persistent "problem" spots.
    await sql.unsafe(`
      create temporary table pts as
        select row_number() over () as n, (d).geom as pt
        from (select ST_Dump(ST_GeneratePoints((select ST_Union(geom) from districts), 20000, 11)) as d) x;
      create temporary table cats as select code, row_number() over () as n
        from unnest(array[${CATEGORIES.map((c) => `'${c.code}'`).join(',')}]) as code;
      insert into hotline_tickets (received_at, channel, text, geom, placement, category, source)
      select '${to.toISOString()}'::timestamptz - (random() * 90 * 86400) * interval '1 second', 'phone', '模拟诉求',
             case when g % 100 < 15
                  then ST_SetSRID(ST_MakePoint(ST_X(p.pt) + (random() - 0.5) * 0.002, ST_Y(p.pt) + (random() - 0.5) * 0.002), 4326)
                  else p.pt end,
             'point', c.code, 'bench'
      from generate_series(1, ${TICKETS}) g
      join pts p on p.n = case when g % 100 < 15 then 1 + (g % 40) * 500 else 1 + (g * 7) % 20000 end
      join cats c on c.n = 1 + (g % ${CATEGORIES.length});
      analyze hotline_tickets;`);
    const seedMs = Date.now() - t0;
    await sql.end();

    const service = hotspotService(hotspotsRepository(db));
    const first = performance.now();
    const warm = await service.compute({ source: 'tickets', days: 7, cellMetres: 500, to });
    const firstMs = performance.now() - first; // includes computing the study area once
    const all: number[] = [];
    const group: number[] = [];
    const month: number[] = [];
    let last = warm;
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      last = await service.compute({ source: 'tickets', days: 7, cellMetres: 500, to });
      all.push(performance.now() - t);
      t = performance.now();
      await service.compute({ source: 'tickets', category: 'construction', days: 7, cellMetres: 500, to });
      group.push(performance.now() - t);
      t = performance.now();
      await service.compute({ source: 'tickets', days: 30, cellMetres: 500, to });
      month.push(performance.now() - t);
    }
    await db.close();
    const sig = last.hotspots.filter((h) => h.significant).length;
    const rows: [string, string][] = [
      ['tickets (90 days) / seeding', `${TICKETS.toLocaleString()} / ${(seedMs / 1000).toFixed(0)} s`],
      ['study area (500 m cells)', `${last.cells}`],
      [
        '7-day window, all tickets (4 windows compared): p50 / max',
        `**${pct(all, 50).toFixed(0)} ms** / ${Math.max(...all).toFixed(0)} ms (${RUNS} runs)`,
      ],
      ['… first call, including the study-area grid', `${firstMs.toFixed(0)} ms`],
      ['7-day window, one category group (construction): p50', `${pct(group, 50).toFixed(0)} ms`],
      ['30-day window, all tickets (120 days scanned): p50', `${pct(month, 50).toFixed(0)} ms`],
      [
        'tickets in the current 7-day window / significant hot-spots',
        `${last.total.toLocaleString()} / ${sig}`,
      ],
    ];
    const table = mdTable(rows);
    console.log(table);
    writeSection(
      SECTION,
      `${SECTION}\n\n\`npm run bench:hotspots\` on ${machine('PostgreSQL 15 + PostGIS')}. In-process: the hot-spot service with its repository against the database (one connection), target under 2 s for a 7-day window over 1,000,000 tickets.\n\n${table}\n`,
    );
  } finally {
    await throwAway.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
