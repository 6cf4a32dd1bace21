// Open311 GeoReport v2 under /open311/v2 through the real routes, intake and database: the service list,
// creating requests (form and JSON) with the demo key, refusals that store nothing, the list filters, one
// request, tokens, XML, the eval set's JSON Schemas, and the privacy of the anonymous view.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { cellOf } from '../../server/domain/disclosure';
import { generateDemoCity } from '../../server/sim/generate-city';
import type { Open311Created, Open311Request } from '../../server/open311/types';
import { GET as listServices } from '../../src/routes/open311/v2/services.[format]/+server';
import { GET as getService } from '../../src/routes/open311/v2/services/[file]/+server';
import {
  GET as listRequests,
  POST as postRequest,
} from '../../src/routes/open311/v2/requests.[format]/+server';
import { GET as getRequest } from '../../src/routes/open311/v2/requests/[file]/+server';
import { GET as getToken } from '../../src/routes/open311/v2/tokens/[file]/+server';
import { database, engines, resetDatabase, tableCounts } from './support/databases';
import { open311Schemas, type Open311SchemaName } from './support/json-schema';
import { routeEvent } from './support/routes';

const schemas = open311Schemas();
if (!schemas.available) console.warn(`[open311] schema assertions skipped: ${schemas.reason}`);

/** Asserts `data` matches the eval set's schema (skipped, with the warning above, when the set is absent). */
function expectSchema(name: Open311SchemaName, data: unknown) {
  if (schemas.available) expect(schemas.problems(name, data), `${name} schema`).toEqual([]);
}

interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

/**
 * A strict little XML reader for what the Open311 writer produces (declaration, elements, text, the five
 * entities): throws on anything not well-formed, so a test fails on an unescaped "<" or "&".
 */
function parseXml(xml: string): XmlElement {
  const decl = '<?xml version="1.0" encoding="utf-8"?>';
  if (!xml.startsWith(decl)) throw new Error('missing XML declaration');
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  const token = /<\/([A-Za-z_][\w.-]*)>|<([A-Za-z_][\w.-]*)(\/?)>|([^<]+)/gy;
  const stack: XmlElement[] = [{ name: '#document', children: [], text: '' }];
  token.lastIndex = decl.length;
  while (token.lastIndex < xml.length) {
    const at = token.lastIndex;
    const m = token.exec(xml);
    if (!m) throw new Error(`not well-formed at ${at}: ${xml.slice(at, at + 30)}`);
    const top = stack[stack.length - 1];
    if (m[1]) {
      if (top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[2]) {
      const el = { name: m[2], children: [], text: '' };
      top.children.push(el);
      if (!m[3]) stack.push(el);
    } else {
      const text = m[4].replace(/&([a-z]+);|&/g, (all, name: string | undefined) => {
        if (!name || !(name in entities)) throw new Error(`unescaped or unknown entity: ${all}`);
        return entities[name];
      });
      if (stack.length === 1 && text.trim() !== '') throw new Error('text outside the root element');
      top.text += text;
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  const roots = stack[0].children;
  if (roots.length !== 1) throw new Error('a document has exactly one root element');
  return roots[0];
}

const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);

describe.each(engines())('Open311 on %s', (engine) => {
  let db: Database;
  let app: App;
  let demoKey: string;
  let point: { lon: number; lat: number; name: string };
  let far: { lon: number; lat: number };

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 100, seed: 'open311' });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    demoKey = app.config.OPEN311_DEMO_KEY;
    const streets = await db.rows<{ name: string; lon: number; lat: number }>(sql`
      select name, ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat
      from streets where code in ('ja-linfen', 'xh-tianping') order by code`);
    point = { name: streets[0].name, lon: Number(streets[0].lon), lat: Number(streets[0].lat) };
    far = { lon: Number(streets[1].lon), lat: Number(streets[1].lat) };
  });

  /** Calls a route handler; status, content type, raw text and (for JSON) the parsed body. */
  async function call(
    handler: (e: never) => Response | Promise<Response>,
    opts: {
      params: Record<string, string>;
      path: string;
      query?: string;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    },
  ) {
    const res = await handler(routeEvent(app, null, opts));
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      type,
      text,
      json: (type.startsWith('application/json') ? JSON.parse(text) : undefined) as unknown,
    };
  }

  const form = (fields: Record<string, string>, format = 'json') =>
    call(postRequest, {
      params: { format },
      path: `/open311/v2/requests.${format}`,
      rawBody: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  const postJson = (body: unknown, format = 'json') =>
    call(postRequest, { params: { format }, path: `/open311/v2/requests.${format}`, body });
  const list = (query = '', format = 'json', headers?: Record<string, string>) =>
    call(listRequests, {
      params: { format },
      path: `/open311/v2/requests.${format}`,
      query: query ? `?${query}` : '',
      headers,
    });
  const requests = async (query = '') => {
    const r = await list(query);
    expect(r.status, r.text).toBe(200);
    expectSchema('requests', r.json);
    return r.json as Open311Request[];
  };
  const errorOf = (r: { json: unknown }) => (r.json as { code: number; description: string }[])[0];

  describe('services', () => {
    it('lists the categories in Chinese by default, English on request, and as XML', async () => {
      const zh = await call(listServices, { params: { format: 'json' }, path: '/open311/v2/services.json' });
      expect(zh.status).toBe(200);
      expect(zh.type).toBe('application/json; charset=utf-8');
      expectSchema('services', zh.json);
      const services = zh.json as { service_code: string; service_name: string; group: string }[];
      expect(services.find((s) => s.service_code === 'city.sanitation')).toMatchObject({
        service_name: '环境卫生',
        group: '城市管理',
        metadata: true,
        type: 'realtime',
      });
      expect(services.some((s) => s.service_code === 'safety.sensor_alarm')).toBe(false);

      const en = await call(listServices, {
        params: { format: 'json' },
        path: '/open311/v2/services.json',
        query: '?locale=en',
      });
      expect((en.json as typeof services)[0].service_name).toMatch(/^[A-Za-z]/);
      const accept = await call(listServices, {
        params: { format: 'json' },
        path: '/open311/v2/services.json',
        headers: { 'accept-language': 'en-US,en;q=0.9' },
      });
      expect(accept.json).toEqual(en.json);

      const xml = await call(listServices, { params: { format: 'xml' }, path: '/open311/v2/services.xml' });
      expect(xml.type).toBe('application/xml; charset=utf-8');
      const root = parseXml(xml.text);
      expect(root.name).toBe('services');
      expect(root.children).toHaveLength(services.length);
      expect(root.children.every((c) => c.name === 'service')).toBe(true);
      expect(child(root.children[0], 'service_name')?.text).toBe(services[0].service_name);
    });

    it('defines a service, 404s an unknown one and a format not offered', async () => {
      const def = await call(getService, {
        params: { file: 'utilities.manholes.json' },
        path: '/open311/v2/services/utilities.manholes.json',
      });
      expect(def.status).toBe(200);
      expect(def.json).toMatchObject({
        service_code: 'utilities.manholes',
        attributes: [{ variable: true, code: 'subject', datatype: 'string', required: false, order: 1 }],
      });
      expectSchema('service-definition', def.json);
      const xml = await call(getService, {
        params: { file: 'utilities.manholes.xml' },
        path: '/open311/v2/services/utilities.manholes.xml',
      });
      expect(parseXml(xml.text).name).toBe('service_definition');

      const unknown = await call(getService, {
        params: { file: 'city.nope.json' },
        path: '/open311/v2/services/city.nope.json',
      });
      expect(unknown.status).toBe(404);
      expect(unknown.json).toEqual([{ code: 404, description: 'service_code "city.nope" is not a service' }]);
      const yaml = await call(listServices, {
        params: { format: 'yaml' },
        path: '/open311/v2/services.yaml',
      });
      expect(yaml.status).toBe(404);
      expect(errorOf(yaml).description).toMatch(/format "yaml"/);
    });
  });

  describe('creating, listing and reading requests', () => {
    const formFields = () => ({
      api_key: demoKey,
      service_code: 'utilities.manholes',
      lat: String(point.lat),
      long: String(point.lon),
      description: '路口井盖缺失，晚上很危险 <请尽快> & "加急"',
      first_name: '先生',
      last_name: '欧阳',
      phone: '13700007777',
      email: 'ouyang@example.cn',
      media_url: 'https://img.example.cn/manhole.jpg',
    });
    let formResponse: Awaited<ReturnType<typeof call>>;
    let jsonResponse: Awaited<ReturnType<typeof call>>;
    let formCreated: Open311Created;
    let jsonCreated: Open311Created;

    // The requests every read below looks at: one form-encoded report (dispatched), one JSON report (then
    // resolved), a phone call with caller details, and a sensor alarm case.
    beforeAll(async () => {
      formResponse = await form(formFields());
      jsonResponse = await call(postRequest, {
        params: { format: 'json' },
        path: '/open311/v2/requests.json',
        query: '?locale=en',
        body: {
          api_key: demoKey,
          service_code: 'environment.noise',
          address_string: `${point.name}阳曲路520弄`,
          description: '楼下饭店每天凌晨两点还在放音乐',
          phone: '13900009999',
        },
      });
      if (formResponse.status !== 200 || jsonResponse.status !== 200)
        throw new Error(`fixture requests refused: ${formResponse.text} ${jsonResponse.text}`);
      [formCreated] = formResponse.json as Open311Created[];
      [jsonCreated] = jsonResponse.json as Open311Created[];
      await app.intake.submit(
        {
          channel: 'phone',
          callerName: '司马懿',
          callerPhone: '13812345678',
          callerEmail: 'sima@example.cn',
          text: '小区门口占道摆摊，行人只能走机动车道',
          lon: far.lon + 0.002,
          lat: far.lat,
          category: 'city.street_vendors',
        },
        { userId: null, role: 'system', departmentId: null },
        new Date(),
      );
      await db.orm.execute(sql`
        update cases set state = 'resolved', resolved_at = now(), updated_at = now()
        where code = ${jsonCreated.service_request_id}`);
      await db.orm.execute(sql`
        insert into cases (code, title, category, state, source)
        values ('AL-OPEN311-1', '井盖倾斜告警', 'safety.sensor_alarm', 'received', 'sensor')`);
    });

    it('creates a request from a form-encoded body with the demo key', async () => {
      expectSchema('created', formResponse.json);
      expect(formResponse.type).toBe('application/json; charset=utf-8');
      expect(formCreated.service_request_id).toMatch(/^GD-\d{8}-\d+$/);
      expect(formCreated.token).toMatch(/^[0-9a-f-]{36}$/);
      expect(formCreated.service_notice).toMatch(/^已受理/);
      expect(formCreated.account_id).toBeNull();

      const [ticket] = await db.rows<Record<string, unknown>>(sql`
        select t.channel, t.source, t.caller_name, t.caller_phone, t.caller_email, t.text, c.code, c.source as case_source
        from hotline_tickets t join cases c on c.id = t.case_id where t.token = ${formCreated.token}`);
      expect(ticket).toMatchObject({
        channel: 'open311',
        source: 'open311',
        caller_name: '欧阳先生',
        caller_phone: '13700007777',
        caller_email: 'ouyang@example.cn',
        code: formCreated.service_request_id,
        case_source: 'open311',
      });
      expect(ticket.text).toContain('media_url: https://img.example.cn/manhole.jpg');
    });

    it('keeps attribute[subject] as the case title and routes by it', async () => {
      const subject = '网上办事大厅无法登录';
      const res = await form({
        ...formFields(),
        service_code: 'other.consultation',
        'attribute[subject]': subject,
        description: '已经一周了，提交不了申请，请尽快处理',
      });
      expect(res.status).toBe(200);
      const [created] = res.json as Open311Created[];
      const [row] = await db.rows<{ title: string; description: string; suggestion: string }>(sql`
        select c.title, c.description, t.suggestions->0->>'category' as suggestion
        from cases c join hotline_tickets t on t.case_id = c.id where t.token = ${created.token}`);
      expect(row.title).toBe(subject);
      expect(row.description).toContain('提交不了申请');
      // The citizen's service_code decides the category; the classifier's guess, kept with the ticket, follows the subject.
      expect(row.suggestion).toBe('egov.online_services');

      const bad = await form({ ...formFields(), 'attribute[subject]': 'x'.repeat(201) });
      expect(bad.status).toBe(400);
      expect(errorOf(bad).description).toMatch(/^attribute\[subject\] is longer than 200/);
    });

    it('creates a request from a JSON body placed by its address, answering in English on request', () => {
      expectSchema('created', jsonResponse.json);
      expect(jsonCreated.service_request_id).toMatch(/^GD-/);
      expect(jsonCreated.service_request_id).not.toBe(formCreated.service_request_id);
      expect(jsonCreated.service_notice).toMatch(/^Received/);
    });

    it('answers a repeat report with the open case it joined, and says so', async () => {
      const r = await form({
        api_key: demoKey,
        service_code: 'utilities.manholes',
        lat: String(point.lat + 0.0001),
        long: String(point.lon),
        description: '路口井盖缺失，晚上很危险',
      });
      expect(r.status, r.text).toBe(200);
      const [dup] = r.json as Open311Created[];
      expect(dup.service_request_id).toBe(formCreated.service_request_id);
      expect(dup.token).not.toBe(formCreated.token);
      expect(dup.service_notice).toContain(formCreated.service_request_id);
    });

    it('answers creation in XML too', async () => {
      const r = await form(
        {
          api_key: demoKey,
          service_code: 'city.street_lights',
          lat: String(far.lat),
          long: String(far.lon),
          description: '路灯不亮',
        },
        'xml',
      );
      expect(r.status).toBe(200);
      const root = parseXml(r.text);
      expect(root.name).toBe('service_requests');
      const request = root.children[0];
      expect(request.name).toBe('request');
      expect(child(request, 'service_request_id')?.text).toMatch(/^GD-/);
      expect(child(request, 'account_id')).toMatchObject({ children: [], text: '' });
    });

    it('refuses a bad or missing api_key with 403 and stores nothing', async () => {
      const before = await tableCounts(db);
      const report = { service_code: 'city.sanitation', lat: String(point.lat), long: String(point.lon) };
      const bad = await form({ ...report, api_key: 'not-a-key-at-all' });
      expect(bad.status).toBe(403);
      expect(bad.json).toEqual([{ code: 403, description: 'api_key is not valid' }]);
      const missing = await form(report);
      expect(missing.status).toBe(403);
      expect(errorOf(missing).description).toMatch(/^api_key is required/);
      const listing = await list('api_key=not-a-key-at-all');
      expect(listing.status).toBe(403);
      expect(await tableCounts(db)).toEqual(before);
    });

    it('refuses each bad parameter with an Open311 error naming it, and stores nothing', async () => {
      const before = await tableCounts(db);
      const ok = {
        api_key: demoKey,
        service_code: 'city.sanitation',
        lat: String(point.lat),
        long: String(point.lon),
      };
      const cases: [Record<string, string>, RegExp][] = [
        [{ ...ok, service_code: '' }, /^service_code is required/],
        [{ ...ok, service_code: 'city.potholes' }, /^service_code "city.potholes"/],
        [{ api_key: demoKey, service_code: 'city.sanitation' }, /location is required/],
        [{ ...ok, lat: '91.5' }, /^lat must be between -90 and 90/],
        [{ ...ok, long: '200' }, /^long must be between -180 and 180/],
        [{ ...ok, lat: 'north' }, /^lat "north" is not a number/],
        [{ api_key: demoKey, service_code: 'city.sanitation', long: '121.4' }, /^lat is required with long/],
        [{ ...ok, email: 'someone' }, /^email/],
        [{ ...ok, phone: 'ring me' }, /^phone/],
        [{ ...ok, media_url: 'ftp://x/1.jpg' }, /^media_url/],
        [{ ...ok, description: '井'.repeat(4001) }, /^description is longer than 4000/],
      ];
      for (const [fields, message] of cases) {
        const r = await form(fields);
        expect(r.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
        expect(r.json).toEqual([{ code: 400, description: expect.stringMatching(message) }]);
      }
      const malformed = await call(postRequest, {
        params: { format: 'json' },
        path: '/open311/v2/requests.json',
        rawBody: '{"service_code": "city.sanitation",',
      });
      expect(malformed.status).toBe(400);
      expect(errorOf(malformed).description).toMatch(/^request body is not valid JSON/);
      const nested = await postJson({ ...ok, lat: { deg: 31 } });
      expect(errorOf(nested)).toEqual({ code: 400, description: 'lat must be a string or a number' });
      const huge = await form({ ...ok, description: 'x'.repeat(70 * 1024) });
      expect(huge.status).toBe(413);
      expect(errorOf(huge).code).toBe(413);
      const xmlBody = await call(postRequest, {
        params: { format: 'json' },
        path: '/open311/v2/requests.json',
        rawBody: '<request/>',
        headers: { 'content-type': 'text/xml' },
      });
      expect(xmlBody.status).toBe(415);
      const xmlError = await form({ ...ok, lat: '-95' }, 'xml');
      expect(xmlError.status).toBe(400);
      const err = parseXml(xmlError.text);
      expect(err.name).toBe('errors');
      expect(child(err.children[0], 'code')?.text).toBe('400');
      expect(child(err.children[0], 'description')?.text).toMatch(/^lat must be between/);
      expect(await tableCounts(db)).toEqual(before);
    });

    it('lists requests anonymously without free text, caller details or exact points', async () => {
      const publicList = await requests();
      expect(publicList.map((r) => r.service_request_id)).toEqual(
        expect.arrayContaining([formCreated.service_request_id, jsonCreated.service_request_id]),
      );
      const ours = publicList.find((r) => r.service_request_id === formCreated.service_request_id)!;
      expect(ours).toMatchObject({
        status: 'open',
        service_code: 'utilities.manholes',
        service_name: '窨井盖',
      });
      // Snapped to the public view's 1 km cell, as the transparency pages are.
      expect(ours.lat).toBe(cellOf(point.lon, point.lat, 1000).centre[1]);
      expect(ours.long).toBe(cellOf(point.lon, point.lat, 1000).centre[0]);
      for (const r of publicList) {
        expect(r).not.toHaveProperty('description');
        expect(r).not.toHaveProperty('media_url');
      }
      const xml = (await list('', 'xml')).text;
      expect(parseXml(xml).children.length).toBe(publicList.length);
      for (const body of [JSON.stringify(publicList), xml])
        for (const secret of [
          '欧阳',
          '13700007777',
          'ouyang@example.cn',
          '司马懿',
          '13812345678',
          'sima@example.cn',
          '13900009999',
          '井盖缺失',
          '占道摆摊',
          'img.example.cn',
          '<description>',
        ])
          expect(body).not.toContain(secret);
    });

    it('shows the full request to callers with a valid api_key, escaped in XML', async () => {
      const [full] = await requests(
        `api_key=${demoKey}&service_request_id=${formCreated.service_request_id}`,
      );
      expect(full.description).toBe('路口井盖缺失，晚上很危险 <请尽快> & "加急"');
      expect(full.media_url).toBe('https://img.example.cn/manhole.jpg');
      expect(full.lat).toBeCloseTo(point.lat, 9);
      expect(JSON.stringify(full)).not.toContain('13700007777');
      const xml = await list(
        `api_key=${demoKey}&service_request_id=${formCreated.service_request_id}`,
        'xml',
      );
      expect(xml.text).toContain('&lt;请尽快&gt; &amp; &quot;加急&quot;');
      const request = parseXml(xml.text).children[0];
      expect(child(request, 'description')?.text).toBe(full.description);
    });

    it('filters by status, service code, ids and dates, and refuses bad filters by name', async () => {
      const open = await requests('status=open');
      expect(open.every((r) => r.status === 'open')).toBe(true);
      expect(open.map((r) => r.service_request_id)).toContain(formCreated.service_request_id);
      const closed = await requests('status=closed');
      expect(closed.map((r) => r.service_request_id)).toEqual([jsonCreated.service_request_id]);
      expect(closed[0].updated_datetime).not.toBeNull();
      expect((await requests('status=open,closed')).length).toBe(open.length + closed.length);

      const byCode = await requests('service_code=utilities.manholes,environment.noise');
      expect(new Set(byCode.map((r) => r.service_code))).toEqual(
        new Set(['utilities.manholes', 'environment.noise']),
      );
      const byIds = await requests(
        `service_request_id=${formCreated.service_request_id},${jsonCreated.service_request_id},AL-OPEN311-1&status=open`,
      );
      expect(byIds.map((r) => r.service_request_id).sort()).toEqual(
        [formCreated.service_request_id, jsonCreated.service_request_id].sort(),
      );
      expect((await requests()).some((r) => r.service_request_id === 'AL-OPEN311-1')).toBe(false);

      const hour = 3_600_000;
      const iso = (ms: number) => new Date(ms).toISOString();
      expect((await requests(`start_date=${iso(Date.now() - hour)}`)).length).toBe(
        open.length + closed.length,
      );
      expect(await requests(`start_date=${iso(Date.now() + hour)}`)).toEqual([]);
      expect(await requests(`end_date=${iso(Date.now() - hour)}`)).toEqual([]);
      const zoned = new Date(Date.now() - hour + 8 * hour).toISOString().replace('Z', '+08:00');
      expect((await requests(`start_date=${encodeURIComponent(zoned)}`)).length).toBe(
        open.length + closed.length,
      );

      const bad: [string, RegExp][] = [
        ['status=pending', /^status "pending"/],
        ['service_code=city.nope', /^service_code "city.nope"/],
        ['service_request_id=GD-1,<x>', /^service_request_id "<x>"/],
        ['start_date=yesterday', /^start_date "yesterday"/],
        ['end_date=2026-01-01', /^end_date/],
        ['start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z', /90 days/],
      ];
      for (const [query, message] of bad) {
        const r = await list(query.replace('<x>', '%3Cx%3E'));
        expect(r.status, query).toBe(400);
        expect(r.json).toEqual([{ code: 400, description: expect.stringMatching(message) }]);
      }
    });

    it('reads one request as a list of one, and 404s unknown and sensor ids', async () => {
      const id = formCreated.service_request_id;
      const one = await call(getRequest, {
        params: { file: `${id}.json` },
        path: `/open311/v2/requests/${id}.json`,
      });
      expect(one.status).toBe(200);
      expectSchema('requests', one.json);
      expect(one.json).toEqual([expect.objectContaining({ service_request_id: id, status: 'open' })]);
      expect((one.json as Open311Request[])[0]).not.toHaveProperty('description');

      const xml = await call(getRequest, {
        params: { file: `${id}.xml` },
        path: `/open311/v2/requests/${id}.xml`,
      });
      const root = parseXml(xml.text);
      expect(root.name).toBe('service_requests');
      expect(child(root.children[0], 'service_request_id')?.text).toBe(id);

      for (const missing of ['GD-19990101-1', 'AL-OPEN311-1']) {
        const r = await call(getRequest, {
          params: { file: `${missing}.json` },
          path: `/open311/v2/requests/${missing}.json`,
        });
        expect(r.status).toBe(404);
        expect(errorOf(r).description).toMatch(/was not found/);
      }
      const malformed = await call(getRequest, {
        params: { file: 'a b.json' },
        path: '/open311/v2/requests/a%20b.json',
      });
      expect(malformed.status).toBe(400);
    });

    it('resolves a token to its request, 404s unknown tokens and 400s malformed ones', async () => {
      const t = formCreated.token;
      const r = await call(getToken, { params: { file: `${t}.json` }, path: `/open311/v2/tokens/${t}.json` });
      expect(r.status).toBe(200);
      expectSchema('tokens', r.json);
      expect(r.json).toEqual([{ service_request_id: formCreated.service_request_id, token: t }]);
      const xml = await call(getToken, { params: { file: `${t}.xml` }, path: `/open311/v2/tokens/${t}.xml` });
      const request = parseXml(xml.text).children[0];
      expect(child(request, 'token')?.text).toBe(t);

      const unknown = await call(getToken, {
        params: { file: '00000000-0000-4000-8000-000000000000.json' },
        path: '/open311/v2/tokens/00000000-0000-4000-8000-000000000000.json',
      });
      expect(unknown.status).toBe(404);
      const bad = await call(getToken, {
        params: { file: '%3Cx%3E.json' },
        path: '/open311/v2/tokens/x.json',
      });
      expect(bad.status).toBe(400);
      expect(errorOf(bad).description).toMatch(/^token/);
    });
  });
});
