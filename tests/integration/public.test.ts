// The public transparency view through its real routes, service and database: with distinctive personal
// data seeded (SQL and intake), every public page load, API, download and the anonymous Open311 reads are
// crawled and must not contain any of it; small counts are suppressed; CSV and GeoJSON are well-formed;
// the rate limit answers 429; responses carry cache headers and come from memory within the cache period.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { generateDemoCity } from '../../server/sim/generate-city';
import { publicServiceOf } from '../../server/services/public.service';
import type {
  PublicCells,
  PublicDepartments,
  PublicStreets,
  PublicSummary,
  PublicTrend,
} from '../../src/lib/api/public';
import { load as layoutLoad } from '../../src/routes/+layout.server';
import { load as publicLoad } from '../../src/routes/public/+page.server';
import { load as dataLoad } from '../../src/routes/public/data/+page.server';
import { GET as summaryGet } from '../../src/routes/api/public/summary/+server';
import { GET as streetsGet } from '../../src/routes/api/public/streets/+server';
import { GET as departmentsGet } from '../../src/routes/api/public/departments/+server';
import { GET as trendGet } from '../../src/routes/api/public/trend/+server';
import { GET as cellsGet } from '../../src/routes/api/public/cells/+server';
import { GET as downloadGet } from '../../src/routes/api/public/download/[file]/+server';
import { GET as boundariesGet } from '../../src/routes/api/public/boundaries/[level]/+server';
import { GET as listServices } from '../../src/routes/open311/v2/services.[format]/+server';
import { GET as getService } from '../../src/routes/open311/v2/services/[file]/+server';
import { GET as listRequests } from '../../src/routes/open311/v2/requests.[format]/+server';
import { GET as getRequest } from '../../src/routes/open311/v2/requests/[file]/+server';
import { GET as getToken } from '../../src/routes/open311/v2/tokens/[file]/+server';
import { database, engines, resetDatabase } from './support/databases';
import { routeEvent } from './support/routes';

type Handler = (e: never) => Response | Promise<Response>;
type Load = (e: never) => unknown;

/** A citizen with everything the public view must never show. */
interface Person {
  name: string;
  phone: string;
  email: string;
  text: string;
  address: string;
  lon: number;
  lat: number;
}

const person = (i: number, lon: number, lat: number): Person => ({
  name: `隐私测试${'甲乙丙丁戊己庚辛壬癸子丑寅卯辰'[i]}某`,
  phone: `139${String(70_000_000 + i * 1_234_567).padStart(8, '0')}`,
  email: `secret.person${i}@privacy.example.test`,
  text: `秘密诉求第${i}号：楼下烧烤店油烟熏窗户，联系人住在${i}楼`,
  address: `隐私路${100 + i}弄${i + 1}号${i + 2}01室`,
  lon,
  lat,
});

const secretsOf = (p: Person) => [p.name, p.phone, p.email, p.text, p.address];

/** Tiny RFC 4180 reader: BOM, CRLF records, quoted fields with doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  if (!text.startsWith('\uFEFF')) throw new Error('no UTF-8 BOM');
  const s = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '"' && field === '') {
      let j = i + 1;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0) throw new Error('unclosed quote');
        if (s[q + 1] === '"') {
          field += s.slice(j, q + 1);
          j = q + 2;
        } else {
          field += s.slice(j, q);
          i = q + 1;
          break;
        }
      }
      if (i < s.length && s[i] !== ',' && s[i] !== '\r') throw new Error(`text after a quoted field at ${i}`);
      continue;
    }
    if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r') {
      if (s[i + 1] !== '\n') throw new Error('CR without LF');
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (c === '\n') throw new Error('bare LF outside quotes');
    else field += c;
    i++;
  }
  if (field !== '' || row.length) throw new Error('last record does not end with CRLF');
  return rows;
}

// GeoJSON (RFC 7946) structure, the rules of ../shared/eval/geojson-schema: checked against its fixtures
// below before it judges our output.
const GEOMETRY_DEPTH: Record<string, number> = {
  Point: 0,
  MultiPoint: 1,
  LineString: 1,
  MultiLineString: 2,
  Polygon: 2,
  MultiPolygon: 3,
};
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
function positionsOk(c: unknown, depth: number, type: string): boolean {
  if (depth === 0)
    return Array.isArray(c) && c.length >= 2 && c.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (!Array.isArray(c)) return false;
  if (type === 'LineString' && depth === 1 && c.length < 2) return false;
  if (type === 'MultiLineString' && depth === 1 && c.length < 2) return false;
  if ((type === 'Polygon' || type === 'MultiPolygon') && depth === 1 && c.length < 4) return false;
  return c.every((x) => positionsOk(x, depth - 1, type));
}
function bboxOk(o: Record<string, unknown>): boolean {
  if (!('bbox' in o)) return true;
  const b = o.bbox;
  return Array.isArray(b) && b.length >= 4 && b.length % 2 === 0 && b.every((n) => typeof n === 'number');
}
function geometryOk(g: unknown): boolean {
  if (!isObj(g) || !bboxOk(g)) return false;
  if (g.type === 'GeometryCollection')
    return Array.isArray(g.geometries) && g.geometries.every((x) => geometryOk(x));
  const depth = GEOMETRY_DEPTH[String(g.type)];
  return depth !== undefined && positionsOk(g.coordinates, depth, String(g.type));
}
function featureOk(f: unknown): boolean {
  if (!isObj(f) || f.type !== 'Feature' || !bboxOk(f)) return false;
  if (!('geometry' in f) || !('properties' in f)) return false;
  if (f.geometry !== null && !geometryOk(f.geometry)) return false;
  if (f.properties !== null && !isObj(f.properties)) return false;
  return !('id' in f) || typeof f.id === 'string' || typeof f.id === 'number';
}
function geoJsonOk(doc: unknown): boolean {
  if (!isObj(doc)) return false;
  if (doc.type === 'FeatureCollection')
    return bboxOk(doc) && Array.isArray(doc.features) && doc.features.every(featureOk);
  if (doc.type === 'Feature') return featureOk(doc);
  return geometryOk(doc);
}
const fixturesDir = path.resolve(import.meta.dirname, '../../../shared/eval/geojson-schema');
const haveFixtures = existsSync(fixturesDir);
if (!haveFixtures) console.warn(`[public] GeoJSON schema assertions skipped: ${fixturesDir} is missing`);
function fixtures(kind: 'valid' | 'invalid'): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const dir of readdirSync(path.join(fixturesDir, kind)))
    for (const f of readdirSync(path.join(fixturesDir, kind, dir)))
      out.push([
        `${kind}/${dir}/${f}`,
        JSON.parse(readFileSync(path.join(fixturesDir, kind, dir, f), 'utf8')),
      ]);
  return out;
}

describe.each(engines())('public view on %s', (engine) => {
  let db: Database;
  let app: App;
  const people: Person[] = [];
  const tokens: string[] = [];
  const caseCodes: string[] = [];
  let streetA = '';
  let streetB = '';

  /** A request event from `ip` with what public routes read (client address, setHeaders). */
  const event = (opts: Parameters<typeof routeEvent>[2] = {}, ip = '198.51.100.7', on = app) =>
    ({
      ...(routeEvent(on, null, opts) as object),
      getClientAddress: () => ip,
      setHeaders: () => {},
    }) as never;

  async function call(handler: Handler, opts: Parameters<typeof routeEvent>[2] = {}, ip?: string, on?: App) {
    const res = await handler(event(opts, ip, on));
    // Keep a byte-order mark (Response.text() would drop it).
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, text };
  }

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 100, seed: 'public' });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent', PUBLIC_RATE_PER_MIN: '100000' }), db);
    const streets = await db.rows<{ code: string; lon: number; lat: number }>(sql`
      select code, ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat
      from streets where code in ('xh-xujiahui', 'ja-jingansi') order by code desc`);
    const [a, b] = streets.map((s) => ({ code: s.code, lon: Number(s.lon), lat: Number(s.lat) }));
    streetA = a.code;
    streetB = b.code;
    // Exact points with five meaningful decimals, a few tens of metres apart inside street A.
    const at = (base: number, i: number, step: number) => Number((base + i * step + 0.000037).toFixed(5));
    const now = new Date();
    const actor = { userId: null, role: 'system' as const, departmentId: null };

    // Through intake: 12 sanitation reports in street A (a publishable count), 2 health reports in B.
    for (let i = 0; i < 14; i++) {
      const inA = i < 12;
      const p = person(i, at(inA ? a.lon : b.lon, i, 0.00011), at(inA ? a.lat : b.lat, i, 0.00007));
      people.push(p);
      const r = await app.intake.submit(
        {
          channel: 'phone',
          callerName: p.name,
          callerPhone: p.phone,
          callerEmail: p.email,
          text: p.text,
          address: p.address,
          lon: p.lon,
          lat: p.lat,
          category: inA ? 'city.sanitation' : 'health.medical',
        },
        actor,
        new Date(now.getTime() - (i + 1) * 60_000),
      );
      tokens.push(r.token);
      caseCodes.push(r.caseCode);
    }
    // Straight into the tables: 6 food-safety tickets in A (a group whose English name has a comma) and a
    // case whose title, description and address are a citizen's words.
    for (let i = 14; i < 20; i++) {
      const p = person(i, at(a.lon, i - 14, -0.00013), at(a.lat, i - 14, -0.00009));
      people.push(p);
      await db.orm.execute(sql`
        insert into hotline_tickets (received_at, channel, caller_name, caller_phone, caller_email, text, address,
                                     geom, street_id, category, source)
        values (now() - interval '2 hours', 'web', ${p.name}, ${p.phone}, ${p.email}, ${p.text}, ${p.address},
                ST_SetSRID(ST_MakePoint(${p.lon}, ${p.lat}), 4326),
                (select id from streets where code = ${a.code}), 'market.food_safety', 'manual')`);
    }
    const last = people[people.length - 1];
    await db.orm.execute(sql`
      insert into cases (code, title, description, category, state, address, street_id, geom, created_at)
      values ('GD-PRIVACY-1', ${last.text}, ${`${last.text} 来电人 ${last.name} ${last.phone}`}, 'market.food_safety',
              'received', ${last.address}, (select id from streets where code = ${a.code}),
              ST_SetSRID(ST_MakePoint(${last.lon}, ${last.lat}), 4326), now() - interval '1 hour')`);
    caseCodes.push('GD-PRIVACY-1');
    // Sanitation cases resolved on time and rated, so department rates are published.
    await db.orm.execute(sql`
      update cases set resolved_at = now(), due_at = now() + interval '1 day', rating = 'satisfied'
      where category = 'city.sanitation'`);
  });

  it('checks its GeoJSON validator against the shared fixtures', () => {
    if (!haveFixtures) return;
    for (const [name, doc] of fixtures('valid')) expect(geoJsonOk(doc), name).toBe(true);
    for (const [name, doc] of fixtures('invalid')) expect(geoJsonOk(doc), name).toBe(false);
  });

  it('never shows personal data in any public page, API, download or anonymous Open311 read', async () => {
    const bodies: [string, string][] = [];
    const json = async (name: string, h: Handler, opts: Parameters<typeof routeEvent>[2]) => {
      const r = await call(h, opts);
      expect(r.status, `${name}: ${r.text}`).toBe(200);
      bodies.push([name, r.text]);
    };
    for (const [name, load, p] of [
      ['layout', layoutLoad, '/public'],
      ['/public', publicLoad, '/public'],
      ['/public/data', dataLoad, '/public/data'],
    ] as const)
      bodies.push([name, JSON.stringify(await (load as unknown as Load)(event({ path: p })))]);
    for (const [name, h] of [
      ['summary', summaryGet],
      ['streets', streetsGet],
      ['departments', departmentsGet],
      ['trend', trendGet],
    ] as const)
      await json(name, h, { path: `/api/public/${name}` });
    for (const days of ['30', '90']) {
      await json(`cells ${days}`, cellsGet, { path: '/api/public/cells', query: `?days=${days}` });
      for (const file of ['cells.csv', 'cells.geojson'])
        await json(`${file} ${days}`, downloadGet, {
          params: { file },
          path: `/api/public/download/${file}`,
          query: `?days=${days}`,
        });
    }
    for (const file of ['streets.csv', 'departments.csv', 'trend.csv'])
      await json(file, downloadGet, { params: { file }, path: `/api/public/download/${file}` });
    for (const level of ['streets', 'districts'])
      await json(`boundaries ${level}`, boundariesGet, {
        params: { level },
        path: `/api/public/boundaries/${level}`,
      });
    // Open311, anonymously (no api_key), in both formats.
    for (const format of ['json', 'xml']) {
      await json(`services.${format}`, listServices, {
        params: { format },
        path: `/open311/v2/services.${format}`,
      });
      await json(`service.${format}`, getService, {
        params: { file: `city.sanitation.${format}` },
        path: `/open311/v2/services/city.sanitation.${format}`,
      });
      await json(`requests.${format}`, listRequests, {
        params: { format },
        path: `/open311/v2/requests.${format}`,
      });
      for (const code of caseCodes)
        await json(`request ${code}.${format}`, getRequest, {
          params: { file: `${code}.${format}` },
          path: `/open311/v2/requests/${code}.${format}`,
        });
      for (const token of tokens)
        await json(`token.${format}`, getToken, {
          params: { file: `${token}.${format}` },
          path: `/open311/v2/tokens/${token}.${format}`,
        });
    }
    expect(bodies.length).toBeGreaterThan(30);
    // The crawl did reach the seeded reports: the sanitation count and the seeded cases are in there.
    expect(bodies.find(([n]) => n === 'requests.json')![1]).toContain(caseCodes[0]);

    // Positive control: the seeded data is there for a keyed caller, so the crawl below can see a leak.
    const keyed = await call(listRequests, {
      params: { format: 'json' },
      path: '/open311/v2/requests.json',
      query: `?api_key=${app.config.OPEN311_DEMO_KEY}`,
    });
    expect(keyed.text).toContain(people[0].text);

    const leaks: string[] = [];
    for (const p of people) {
      for (const secret of secretsOf(p))
        for (const [name, body] of bodies) if (body.includes(secret)) leaks.push(`${name}: ${secret}`);
      const lon = p.lon.toFixed(5);
      const lat = p.lat.toFixed(5);
      for (const [name, body] of bodies)
        if (body.includes(lon) && body.includes(lat)) leaks.push(`${name}: point ${lon},${lat}`);
    }
    // Fragments too: a name or phone cut short, the complaint's opening words.
    for (const [name, body] of bodies)
      for (const fragment of ['隐私测试', '秘密诉求', 'privacy.example.test', '隐私路'])
        if (body.includes(fragment)) leaks.push(`${name}: ${fragment}`);
    expect(leaks).toEqual([]);
  });

  it('suppresses small counts everywhere and publishes the rest', async () => {
    const min = app.config.PUBLIC_MIN_COUNT;
    const streets = JSON.parse(
      (await call(streetsGet, { path: '/api/public/streets' })).text,
    ) as PublicStreets;
    const a = streets.totals.find((r) => r.streetCode === streetA && r.group === 'city')!;
    expect(a).toMatchObject({ tickets: 12, ticketsSuppressed: false });
    const market = streets.totals.find((r) => r.streetCode === streetA && r.group === 'market')!;
    expect(market).toMatchObject({
      tickets: 6,
      ticketsSuppressed: false,
      cases: null,
      casesSuppressed: true,
    });
    const b = streets.totals.find((r) => r.streetCode === streetB && r.group === 'health')!;
    expect(b).toMatchObject({ tickets: null, ticketsSuppressed: true, cases: null, casesSuppressed: true });

    const summary = JSON.parse(
      (await call(summaryGet, { path: '/api/public/summary' })).text,
    ) as PublicSummary;
    expect(summary.tickets).toEqual({ count: 20, suppressed: false });
    expect(summary.meta).toMatchObject({ minCount: 5, cellM: 1000, licence: 'CC-BY-4.0' });
    expect(summary.onTimeRate).toBe(1);
    expect(summary.satisfactionRate).toBe(1);

    const deps = JSON.parse(
      (await call(departmentsGet, { path: '/api/public/departments' })).text,
    ) as PublicDepartments;
    for (const d of deps.departments) {
      if (d.casesSuppressed) expect(d.cases).toBeNull();
      if (d.rated === null || (d.rated ?? 0) < min) expect(d.satisfactionRate).toBeNull();
    }
    expect(deps.departments.some((d) => d.satisfactionRate === 1)).toBe(true);

    const cells = JSON.parse(
      (await call(cellsGet, { path: '/api/public/cells', query: '?days=30' })).text,
    ) as PublicCells;
    expect(cells.cells.some((c) => c.ticketsSuppressed && c.tickets === null)).toBe(true);
    expect(cells.cells.some((c) => !c.ticketsSuppressed && (c.tickets ?? 0) >= min)).toBe(true);
    expect(cells.cells.reduce((s, c) => s + (c.tickets ?? 0), 0)).toBeLessThanOrEqual(20);

    // No published count anywhere is between 1 and min-1.
    const trend = JSON.parse((await call(trendGet, { path: '/api/public/trend' })).text) as PublicTrend;
    expect(trend.months).toHaveLength(12);
    const counts: unknown[] = [];
    const walk = (v: unknown, key = '') => {
      if (Array.isArray(v)) v.forEach((x) => walk(x, key));
      else if (isObj(v)) for (const [k, x] of Object.entries(v)) walk(x, k);
      else if (['tickets', 'cases', 'resolved', 'rated', 'count'].includes(key)) counts.push(v);
    };
    walk([streets, summary, deps, cells, trend]);
    expect(counts.length).toBeGreaterThan(100);
    expect(counts.filter((n) => typeof n === 'number' && n > 0 && n < min)).toEqual([]);
  });

  it('writes RFC 4180 CSV with a BOM, a header and quoted fields', async () => {
    const r = await call(downloadGet, {
      params: { file: 'streets.csv' },
      path: '/api/public/download/streets.csv',
    });
    expect(r.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="citynerve-streets.csv"');
    const rows = parseCsv(r.text);
    expect(rows[0]).toEqual([
      'month',
      'district',
      'district_en',
      'street_code',
      'street',
      'street_en',
      'group',
      'group_name',
      'group_name_en',
      'tickets',
      'cases',
    ]);
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(row).toHaveLength(11);
    expect(r.text).toContain('"Commerce, tourism and market"');
    const market = rows.find((x) => x[3] === streetA && x[6] === 'market')!;
    expect(market[8]).toBe('Commerce, tourism and market');
    expect(market[10]).toBe('<5');
    const health = rows.find((x) => x[3] === streetB && x[6] === 'health')!;
    expect(health[9]).toBe('<5');

    for (const file of ['departments.csv', 'trend.csv', 'cells.csv']) {
      const d = await call(downloadGet, { params: { file }, path: `/api/public/download/${file}` });
      const parsed = parseCsv(d.text);
      expect(parsed.length, file).toBeGreaterThan(1);
      expect(new Set(parsed.map((x) => x.length)).size, file).toBe(1);
    }
    const missing = await call(downloadGet, { params: { file: 'trend.geojson' }, path: '/x' }).catch(
      (e: { status: number }) => e,
    );
    expect(missing.status).toBe(404);
  });

  it('writes the cells as a valid GeoJSON FeatureCollection of closed squares', async () => {
    const r = await call(downloadGet, {
      params: { file: 'cells.geojson' },
      path: '/api/public/download/cells.geojson',
      query: '?days=30',
    });
    expect(r.headers.get('content-type')).toBe('application/geo+json; charset=utf-8');
    const fc = JSON.parse(r.text) as {
      type: string;
      features: {
        geometry: { coordinates: number[][][] };
        properties: { count: number | null; suppressed: boolean };
      }[];
    };
    if (haveFixtures) expect(geoJsonOk(fc)).toBe(true);
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.length).toBeGreaterThan(0);
    for (const f of fc.features) {
      const ring = f.geometry.coordinates[0];
      expect(ring).toHaveLength(5);
      expect(ring[4]).toEqual(ring[0]);
      expect(f.properties.suppressed).toBe(f.properties.count === null);
    }
    const bad = await call(cellsGet, { path: '/api/public/cells', query: '?days=7' }).catch(
      (e: { status: number }) => e,
    );
    expect(bad.status).toBe(400);
  });

  it('answers with public cache headers, an ETag and 304 for a copy the client holds', async () => {
    const r = await call(summaryGet, { path: '/api/public/summary' });
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = r.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await call(summaryGet, {
      path: '/api/public/summary',
      headers: { 'if-none-match': etag! },
    });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const dl = await call(downloadGet, {
      params: { file: 'trend.csv' },
      path: '/api/public/download/trend.csv',
    });
    expect(dl.headers.get('cache-control')).toBe('public, max-age=300');
    expect(dl.headers.get('etag')).toBeTruthy();
  });

  it('limits each client to PUBLIC_RATE_PER_MIN requests a minute: 429 with Retry-After', async () => {
    const limited = buildApp(loadConfig({ LOG_LEVEL: 'silent', PUBLIC_RATE_PER_MIN: '3' }), db);
    for (let i = 0; i < 3; i++)
      expect((await call(trendGet, { path: '/api/public/trend' }, '192.0.2.1', limited)).status).toBe(200);
    const refused = await call(summaryGet, { path: '/api/public/summary' }, '192.0.2.1', limited);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(refused.text).message).toMatch(/too many requests/);
    // Pages share the allowance; another client is unaffected.
    await expect(
      Promise.resolve((publicLoad as unknown as Load)(event({ path: '/public' }, '192.0.2.1', limited))),
    ).rejects.toMatchObject({ status: 429 });
    expect((await call(trendGet, { path: '/api/public/trend' }, '192.0.2.2', limited)).status).toBe(200);
  });

  it('serves from memory within the cache period and recomputes after it', async () => {
    const fresh = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    const before = JSON.parse(
      (await call(summaryGet, { path: '/api/public/summary' }, undefined, fresh)).text,
    );
    // A second ago: stamped "now", the ticket could fall a fraction of a millisecond after the end of the
    // recomputed window (the database keeps microseconds, the window ends at a millisecond clock reading).
    await db.orm.execute(sql`
      insert into hotline_tickets (channel, text, source, received_at)
      values ('web', 'cache probe', 'manual', now() - interval '1 second')`);
    const cached = JSON.parse(
      (await call(summaryGet, { path: '/api/public/summary' }, undefined, fresh)).text,
    );
    expect(cached).toEqual(before);
    await publicServiceOf(fresh).clear();
    const after = JSON.parse(
      (await call(summaryGet, { path: '/api/public/summary' }, undefined, fresh)).text,
    );
    expect(after.tickets.count).toBe(before.tickets.count + 1);
    await db.orm.execute(sql`delete from hotline_tickets where text = 'cache probe'`);
  });
});
