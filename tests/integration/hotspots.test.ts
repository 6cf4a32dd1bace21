// Hot-spots through the real route, repository and PostGIS: a planted cluster of reports in one place is
// found (and only it), classified as new, named by its street, and drilled into.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { generateDemoCity } from '../../server/sim/generate-city';
import type { HotspotReportsResponse, HotspotsResponse } from '../../src/lib/api/hotspots';
import { GET as getHotspots } from '../../src/routes/api/hotspots/+server';
import { GET as getReports } from '../../src/routes/api/hotspots/reports/+server';
import { database, engines, resetDatabase } from './support/databases';
import { callRoute, routeEvent, type TestUser } from './support/routes';

const TO = new Date('2026-11-20T00:00:00Z');
const DAY = 86_400_000;

describe.each(engines())('hot-spots on %s', (engine) => {
  let db: Database;
  let app: App;
  const leader: TestUser = { id: 1, role: 'leader' };
  let spot: { lon: number; lat: number; street: string };

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 100, seed: 'hotspots-it' });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    const [s] = await db.rows<{ lon: number; lat: number; name: string }>(sql`
      select ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat, name
      from streets where code = 'ja-daning'`);
    spot = { lon: Number(s.lon), lat: Number(s.lat), street: s.name };
    // Background: 4 weeks of reports spread evenly over both districts (about 2 per cell and week).
    await db.orm.execute(sql`
      insert into hotline_tickets (received_at, channel, text, geom, placement, category, source)
      select ${TO.toISOString()}::timestamptz - ((x.n::bigint * 2654435761) % (28 * 86400)) * interval '1 second', 'phone', '背景诉求',
             x.geom, 'point', 'city.sanitation', 'test'
      from (select (d).geom as geom, row_number() over () as n
            from (select ST_Dump(ST_GeneratePoints((select ST_Union(geom) from districts), 1600, 7)) as d) y) x`);
    // The planted problem: 30 reports within ~100 m in the last 7 days, none before.
    await db.orm.execute(sql`
      insert into hotline_tickets (received_at, channel, text, geom, placement, category, source)
      select ${TO.toISOString()}::timestamptz - (g * 5) * interval '1 hour', 'phone', '大宁路工地夜间施工噪声扰民 ' || g,
             ST_SetSRID(ST_MakePoint(${spot.lon} + (g % 5) * 0.0002, ${spot.lat} + (g % 3) * 0.0002), 4326),
             'point', 'construction.site', 'test'
      from generate_series(1, 30) g`);
  });

  const hotspots = (query: string, user: TestUser | null = leader) =>
    callRoute<HotspotsResponse & { message?: string }>(getHotspots, routeEvent(app, user, { query }));

  it('finds the planted cluster as a new hot-spot in its street, and nothing far from it', async () => {
    const r = await hotspots(`?days=7&to=${TO.toISOString()}`);
    expect(r.status).toBe(200);
    const sig = r.body.hotspots.filter((h) => h.significant);
    expect(sig.length).toBeGreaterThan(0);
    // Gi* lights the planted cell and its neighbourhood; the cell holding the reports is among them.
    const contains = (h: (typeof sig)[number]) => {
      const [w, s] = h.polygon[0];
      const [e, n] = h.polygon[2];
      return spot.lon >= w && spot.lon < e && spot.lat >= s && spot.lat < n;
    };
    const top = sig.find(contains)!;
    expect(top).toBeDefined();
    expect(top.trend).toBe('new');
    expect(top.count).toBeGreaterThanOrEqual(10);
    expect(top.streets.map((x) => x.name)).toContain(spot.street);
    for (const h of sig)
      expect(Math.max(Math.abs(h.ix - top.ix), Math.abs(h.iy - top.iy))).toBeLessThanOrEqual(2);
    expect(r.body.cells).toBeGreaterThan(100);
  });

  it('filters by category: the sanitation background alone has no hot-spot', async () => {
    const r = await hotspots(`?days=7&to=${TO.toISOString()}&category=city.sanitation`);
    expect(r.body.hotspots.filter((h) => h.significant)).toEqual([]);
    const site = await hotspots(`?days=7&to=${TO.toISOString()}&category=construction`);
    expect(site.body.hotspots.filter((h) => h.significant).length).toBeGreaterThan(0);
  });

  it('a week later the same cell is diminishing', async () => {
    const later = new Date(TO.getTime() + 7 * DAY).toISOString();
    const r = await hotspots(`?days=7&to=${later}`);
    const faded = r.body.hotspots.filter((h) => !h.significant && h.trend === 'diminishing');
    expect(faded.length).toBeGreaterThan(0);
  });

  it('drills into the reports behind a cell, without personal data', async () => {
    const r = await hotspots(`?days=7&to=${TO.toISOString()}`);
    const top = [...r.body.hotspots].sort((a, b) => b.count - a.count)[0];
    const d = await callRoute<HotspotReportsResponse>(
      getReports,
      routeEvent(app, leader, { query: `?days=7&to=${TO.toISOString()}&ix=${top.ix}&iy=${top.iy}` }),
    );
    expect(d.status).toBe(200);
    expect(d.body.reports.length).toBe(top.count);
    // The planted reports are there (background reports of the same cell may be newer than them).
    expect(d.body.reports.filter((x) => x.summary.includes('施工')).length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(d.body.reports[0]).sort()).toEqual(['at', 'caseCode', 'category', 'id', 'summary']);
  });

  it('refuses bad parameters and roles that may not see it', async () => {
    for (const q of ['?days=3', '?source=tweets', '?cell=333', '?category=nope', '?to=yesterday'])
      expect((await hotspots(q)).status, q).toBe(400);
    expect((await hotspots('?days=7', { id: 2, role: 'staff', departmentId: 1 })).status).toBe(403);
    expect((await hotspots('?days=7', null)).status).toBe(401);
    const badCell = await callRoute(getReports, routeEvent(app, leader, { query: '?ix=a&iy=1' }));
    expect(badCell.status).toBe(400);
  });
});
