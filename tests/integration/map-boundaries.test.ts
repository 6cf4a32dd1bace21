// GET /api/map/boundaries against a real PostGIS: streets and districts in one response, the same
// GeoJSON the two separate queries give, compressed when the browser asks, 304 while its ETag holds, and
// new data once the boundaries change in the database (a boundary import tells the server nothing).
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { importBoundaries } from '../../server/services/boundary-import.service';
import { generateDemoCity } from '../../server/sim/generate-city';
import { GET as boundaries } from '../../src/routes/api/map/boundaries/+server';
import { database, engines, resetDatabase } from './support/databases';
import { routeEvent } from './support/routes';

const officer = { id: 1, role: 'officer' as const };

interface Feature {
  id: number;
  geometry: { type: string; coordinates: unknown };
  properties: { name: string; nameEn: string; code: string };
}
interface Body {
  streets: { type: 'FeatureCollection'; features: Feature[] };
  districts: { type: 'FeatureCollection'; features: Feature[] };
}

async function get(app: App, headers: Record<string, string> = {}) {
  const res = await boundaries(routeEvent(app, officer, { path: '/api/map/boundaries', headers }));
  const raw = Buffer.from(await res.arrayBuffer());
  const coding = res.headers.get('content-encoding');
  const text =
    res.status === 304
      ? ''
      : (coding === 'gzip' ? gunzipSync(raw) : coding === 'br' ? brotliDecompressSync(raw) : raw).toString(
          'utf8',
        );
  return { res, raw, coding, body: text ? (JSON.parse(text) as Body) : null };
}

describe.each(engines())('map boundaries on %s', (engine) => {
  let db: Database;
  let app: App;

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 60, seed: 'map-boundaries-it' });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
  });

  it('sends streets and districts in one response, the same GeoJSON as the separate queries', async () => {
    const { res, body } = await get(app);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(body).toEqual({
      streets: JSON.parse(await app.repos.map.streetsGeoJson()),
      districts: JSON.parse(await app.repos.map.districtsGeoJson()),
    });
    expect(body!.districts.features.map((f) => f.properties.name).sort()).toEqual(['徐汇区', '静安区']);
    expect(body!.streets.features.map((f) => f.properties.name)).toContain('田林街道');
  });

  it('is compressed when the browser accepts it, several times smaller, the same data', async () => {
    const plain = await get(app, { 'accept-encoding': 'identity' });
    const gz = await get(app, { 'accept-encoding': 'gzip, deflate' });
    const br = await get(app, { 'accept-encoding': 'gzip, deflate, br' });
    expect(gz.coding).toBe('gzip');
    expect(br.coding).toBe('br');
    expect(gz.res.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(gz.raw.length).toBeLessThan(plain.raw.length / 3);
    expect(br.raw.length).toBeLessThan(plain.raw.length / 3);
    expect(gz.body).toEqual(plain.body);
    expect(br.body).toEqual(plain.body);
    // One ETag for every coding: the content is the same.
    expect(gz.res.headers.get('etag')).toBe(plain.res.headers.get('etag'));
  });

  it('answers 304 without a body while the browser holds the current version', async () => {
    const first = await get(app, { 'accept-encoding': 'gzip' });
    const etag = first.res.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/); // strong
    const again = await get(app, { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(again.res.status).toBe(304);
    expect(again.raw.length).toBe(0);
    expect(again.res.headers.get('etag')).toBe(etag);
    const other = await get(app, { 'if-none-match': '"something-else"' });
    expect(other.res.status).toBe(200);
  });

  it('shows new boundaries after an import, though nothing told this server', async () => {
    const before = await get(app, { 'accept-encoding': 'gzip' });
    const etag = before.res.headers.get('etag')!;
    const ring = [
      [121.4, 31.17],
      [121.43, 31.17],
      [121.43, 31.19],
      [121.4, 31.19],
      [121.4, 31.17],
    ];
    const result = await importBoundaries(
      db,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { NAME: '田林街道', cnty: '徐汇区' },
            geometry: { type: 'Polygon', coordinates: [ring] },
          },
        ],
      }),
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const after = await get(app, { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(after.res.status).toBe(200);
    expect(after.res.headers.get('etag')).not.toBe(etag);
    const tianlin = after.body!.streets.features.find((f) => f.properties.name === '田林街道')!;
    expect(JSON.stringify(tianlin.geometry.coordinates)).toContain('121.43,31.19');
    expect(after.body!.streets).toEqual(JSON.parse(await app.repos.map.streetsGeoJson()));

    // A renamed district is a change too: the streets carry their district's name.
    await db.orm.execute(sql`update districts set name_en = 'Xuhui District' where code = 'xuhui'`);
    const renamed = await get(app);
    expect(renamed.body!.districts.features.map((f) => f.properties.nameEn)).toContain('Xuhui District');
  });

  it('refuses a visitor who is not signed in', async () => {
    const out = await Promise.resolve(boundaries(routeEvent(app, null))).catch((e: { status: number }) => e);
    expect((out as { status: number }).status).toBe(401);
  });
});
