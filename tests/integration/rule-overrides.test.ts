// Per-sensor rule overrides end to end, on every engine: an officer's PUT through the route changes what
// the running ingest evaluates for the next HTTP reading (an alarm the family default would not raise, and
// the other way round), with an audit row; bad bodies, forbidden roles and unknown sensors change nothing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import type { Role } from '../../server/domain/roles';
import { createLogger } from '../../server/log';
import { generateDemoCity } from '../../server/sim/generate-city';
import type { SensorRulesResponse } from '../../src/lib/api/rules';
import { POST as ingestRoute } from '../../src/routes/api/ingest/readings/+server';
import { GET as getRules, PUT as putRules } from '../../src/routes/api/sensors/[id]/rules/+server';
import { database, engines, resetDatabase } from './support/databases';

const log = createLogger('silent');

/** Device time for each reading: increasing, never ahead of the allowed clock skew. */
let clock = Date.now();
const deviceNow = () => (clock = Math.max(Date.now(), clock + 10_000));

const manholeValues = (tilt: number) => ({
  tilt_deg: tilt,
  displacement_mm: 0,
  open: false,
  water_level_cm: 10,
  battery_pct: 90,
});

interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  departmentId: number | null;
}

/** Runs a route handler; returns its status and JSON body, whether it answered or threw an HTTP error. */
async function call(handler: (e: never) => Response | Promise<Response>, e: unknown) {
  try {
    const res = await handler(e as never);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch (err) {
    const h = err as { status?: number; body?: { message: string } };
    if (typeof h.status !== 'number') throw err;
    return { status: h.status, body: h.body as Record<string, unknown> };
  }
}

describe.each(engines())('sensor rule overrides on %s', (engine) => {
  let db: Database;
  let app: App;
  let gatewayKey: string;
  let manholes: { id: number; code: string }[];
  const users: Partial<Record<Role, User>> = {};

  const rulesOf = (user: User | null, id: number | string) =>
    call(getRules, { locals: { app, user, lang: 'en' }, params: { id: String(id) } });

  const put = (user: User | null, id: number | string, body: string, headers: Record<string, string> = {}) =>
    call(putRules, {
      locals: { app, user, lang: 'en' },
      params: { id: String(id) },
      request: new Request(`http://localhost/api/sensors/${id}/rules`, {
        method: 'PUT',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      }),
    });

  /** Sends one reading per sensor through the HTTP ingest route, stored before it answers. */
  async function ingest(readings: { code: string; tilt: number }[]) {
    const ts = deviceNow();
    const body = readings
      .map((r) => JSON.stringify({ sensor: r.code, ts, values: manholeValues(r.tilt) }))
      .join('\n');
    const res = await ingestRoute({
      request: new Request('http://localhost/api/ingest/readings', {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/x-ndjson' },
      }),
      locals: { app, user: null, lang: 'en' },
    } as never);
    expect(await res.json()).toMatchObject({ accepted: readings.length, rejected: [] });
  }

  const stateOf = async (id: number) =>
    (await db.rows<{ state: number }>(sql`select state from sensor_state where sensor_id = ${id}`))[0].state;
  const openAlarms = (id: number) =>
    db.rows<{ ruleId: string; severity: number }>(sql`
      select rule_id as "ruleId", severity from alarms where sensor_id = ${id} and status <> 'cleared'`);
  const storedOverrides = async (id: number) =>
    (
      await db.rows<{ o: string | null }>(sql`select rule_overrides::text as o from sensors where id = ${id}`)
    )[0].o;
  const auditCount = async () =>
    (await db.rows<{ n: number }>(sql`select count(*)::int as n from rule_override_audit`))[0].n;

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 300, seed: 'rule-overrides' });
    manholes = (
      await db.rows<{ id: number; code: string }>(sql`
        select s.id, s.code from sensors s join sensor_types t on t.id = s.type_id
        where t.code = 'manhole' order by s.id limit 8`)
    ).map((s) => ({ id: Number(s.id), code: s.code }));
    const rows = await db.rows<{ id: number; role: Role; name: string }>(sql`
      insert into users (username, display_name, password_hash, role)
      values ('duty1', '值班员王芳', 'x', 'officer'), ('lead1', '区领导', 'x', 'leader'),
             ('staff1', '部门人员', 'x', 'staff'), ('root1', '管理员', 'x', 'admin')
      returning id, role, display_name as name`);
    for (const r of rows) {
      users[r.role] = { id: r.id, username: r.name, displayName: r.name, role: r.role, departmentId: null };
    }
    app = buildApp(loadConfig({ INGEST_BATCH_MS: '20', LOG_LEVEL: 'silent' }), db, log);
    // The cache is loaded with the family rules first: the overrides must reach an already running ingest.
    await app.ingest.sensors.load();
    gatewayKey = (await app.gateways.create(`gw-rules-${engine}`, 'Rules test gateway')).key;
  });

  afterAll(async () => {
    await app?.ingest.pipeline.close();
  });

  it('an officer lowers a threshold and the next reading raises an alarm the family default would not', async () => {
    const [tuned, plain] = manholes;
    const res = await put(users.officer!, tuned.id, JSON.stringify({ 'manhole.tilt': { on: 3, off: 2 } }));
    expect(res.status).toBe(200);
    const body = res.body as unknown as SensorRulesResponse;
    expect(body.overrides).toEqual({ 'manhole.tilt': { on: 3, off: 2 } });
    expect(body.effective.find((r) => r.id === 'manhole.tilt')).toMatchObject({ on: 3, off: 2 });
    expect(body.familyRules.find((r) => r.id === 'manhole.tilt')).toMatchObject({ on: 5, off: 3 });

    // 4° is below the family's 5° and above the sensor's 3°.
    await ingest([
      { code: tuned.code, tilt: 4 },
      { code: plain.code, tilt: 4 },
    ]);
    expect(await stateOf(tuned.id)).toBe(1);
    expect(await openAlarms(tuned.id)).toEqual([{ ruleId: 'manhole.tilt', severity: 1 }]);
    expect(await stateOf(plain.id)).toBe(0);
    expect(await openAlarms(plain.id)).toEqual([]);

    // Who changed what and when is on record, and the panel's GET shows it.
    const history = await app.repos.ruleOverrides.history(tuned.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      changedBy: users.officer!.id,
      actorRole: 'officer',
      before: null,
      after: { 'manhole.tilt': { on: 3, off: 2 } },
    });
    const seen = await rulesOf(users.leader!, tuned.id);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({
      code: tuned.code,
      family: 'manhole',
      canEdit: false,
      overridesError: null,
      lastChange: { changedBy: '值班员王芳', actorRole: 'officer' },
    });
  });

  it('an admin raises a threshold so a reading stays normal, and resetting brings the family rule back', async () => {
    const [, , tuned, plain] = manholes;
    const res = await put(users.admin!, tuned.id, JSON.stringify({ 'manhole.tilt': { on: 8, off: 6 } }));
    expect(res.status).toBe(200);
    await ingest([
      { code: tuned.code, tilt: 6 },
      { code: plain.code, tilt: 6 },
    ]);
    expect(await stateOf(tuned.id)).toBe(0);
    expect(await openAlarms(tuned.id)).toEqual([]);
    expect(await stateOf(plain.id)).toBe(1);

    // null clears the overrides; the very next reading is judged by the family's 5°.
    const reset = await put(users.admin!, tuned.id, 'null');
    expect(reset.status).toBe(200);
    expect(reset.body.overrides).toBeNull();
    expect(await storedOverrides(tuned.id)).toBeNull();
    await ingest([{ code: tuned.code, tilt: 6 }]);
    expect(await stateOf(tuned.id)).toBe(1);
    const history = await app.repos.ruleOverrides.history(tuned.id);
    expect(history.map((h) => [h.before, h.after])).toEqual([
      [{ 'manhole.tilt': { on: 8, off: 6 } }, null],
      [null, { 'manhole.tilt': { on: 8, off: 6 } }],
    ]);

    // Saving the same overrides again ({} is "none" too) records no change.
    expect((await put(users.admin!, tuned.id, '{}')).status).toBe(200);
    expect(await app.repos.ruleOverrides.history(tuned.id)).toHaveLength(2);
  });

  it('refuses bad bodies with 400 naming the problem, and keeps the stored overrides', async () => {
    const target = manholes[4];
    const good = JSON.stringify({ 'manhole.tilt': { on: 4, off: 2 } });
    expect((await put(users.officer!, target.id, good)).status).toBe(200);
    const before = await storedOverrides(target.id);
    const audits = await auditCount();

    const bad: [string, RegExp][] = [
      ['{"manhole.tilt": ', /body must be JSON/],
      ['', /body must be JSON/],
      ['[1, 2]', /object keyed by rule id/],
      [JSON.stringify({ 'manhole.smell': { on: 1 } }), /manhole\.smell: unknown rule/],
      [
        JSON.stringify({ 'manhole.tilt': { on: 4, threshold: 1 } }),
        /manhole\.tilt\.threshold: unknown field/,
      ],
      [JSON.stringify({ 'manhole.tilt': { on: '4' } }), /manhole\.tilt\.on: must be a number/],
      [JSON.stringify({ 'manhole.tilt': { on: 4, off: 6 } }), /manhole\.tilt\.off: the clear threshold/],
      [
        JSON.stringify({ 'manhole.open': { forSeconds: -10 } }),
        /manhole\.open\.forSeconds: must not be negative/,
      ],
      [JSON.stringify({ 'manhole.open': { on: 1 } }), /manhole\.open\.on: does not apply to a flag rule/],
    ];
    for (const [body, message] of bad) {
      const res = await put(users.officer!, target.id, body);
      expect(res.status, body).toBe(400);
      expect(String(res.body.message), body).toMatch(message);
    }
    const huge = JSON.stringify({ 'manhole.tilt': { on: 4 }, pad: 'x'.repeat(20_000) });
    const tooLarge = await put(users.officer!, target.id, huge);
    expect(tooLarge.status).toBe(413);
    expect(String(tooLarge.body.message)).toMatch(/larger than 16384 bytes/);

    expect(await storedOverrides(target.id)).toBe(before);
    expect(await auditCount()).toBe(audits);
    // The running ingest still uses the stored overrides.
    await ingest([{ code: target.code, tilt: 4.5 }]);
    expect(await stateOf(target.id)).toBe(1);
  });

  it('lets only duty officers and admins change rules, and every signed-in role read them', async () => {
    const target = manholes[5];
    const body = JSON.stringify({ 'manhole.tilt': { on: 4, off: 2 } });
    for (const role of ['leader', 'staff'] as const) {
      const res = await put(users[role]!, target.id, body);
      expect(res.status, role).toBe(403);
      expect(String(res.body.message)).toContain(role);
      const read = await rulesOf(users[role]!, target.id);
      expect(read.status).toBe(200);
      expect(read.body.canEdit).toBe(false);
    }
    expect((await put(null, target.id, body)).status).toBe(401);
    expect((await rulesOf(null, target.id)).status).toBe(401);
    expect((await rulesOf(users.officer!, target.id)).body.canEdit).toBe(true);
    expect(await storedOverrides(target.id)).toBeNull();
  });

  it('answers 404 for a sensor that does not exist and 400 for an id that is not one', async () => {
    const body = JSON.stringify({ 'manhole.tilt': { on: 4, off: 2 } });
    const missing = await put(users.officer!, 999_999, body);
    expect(missing.status).toBe(404);
    expect(String(missing.body.message)).toMatch(/sensor 999999 does not exist/);
    expect((await rulesOf(users.officer!, 999_999)).status).toBe(404);
    expect((await rulesOf(users.officer!, 'abc')).status).toBe(400);
  });
});
