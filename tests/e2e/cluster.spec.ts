// Three real nodes on one PostgreSQL behind a real HAProxy, with browsers on the map, the case console and
// the wall. What one node does shows on browsers of another; a rule override taken by one node governs
// readings another ingests; and when a node is killed outright, its browsers come back through the
// balancer on a surviving node with exactly the database's state, the QoS 1 readings published meanwhile
// are all stored once, and the simulator and watchdog move to a surviving node within 10 s.
//
// Skips, saying why, without TEST_DATABASE_URL, HAProxy or an MQTT broker on 1883 (.ci/run installs them).
import { createHash, randomBytes } from 'node:crypto';
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import mqtt from 'mqtt';
import { waitForMap } from './support/fixtures';
import { clusterUnavailable, redisUnavailable, startCluster, type Cluster } from './support/cluster';
import { openWall } from './support/wall';

const unavailable = await clusterUnavailable();
if (unavailable) console.log(`[cluster] skipped: ${unavailable}`);
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisDown = unavailable ? null : await redisUnavailable(REDIS_URL);
if (redisDown) console.log(`[cluster] Redis Streams adapter skipped: ${redisDown}`);

test.describe.configure({ mode: 'serial' });
test.skip(unavailable !== null, unavailable ?? '');

let cluster: Cluster;
const contexts: BrowserContext[] = [];

/** A browser context pinned by the balancer's cookie to node `name`, signed in as `role` (or not at all). */
async function pinned(browser: Browser, name: string, role: string | null, next = '/cases'): Promise<Page> {
  const context = await browser.newContext({
    baseURL: cluster.url,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  contexts.push(context);
  await context.addCookies([{ name: 'CN_NODE', value: name, url: cluster.url }]);
  const page = await context.newPage();
  if (role) {
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await page.locator('input[name="username"]').fill(role);
    await page.locator('input[name="password"]').fill(cluster.password);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/login')),
      page.locator('form button[type="submit"]').click(),
    ]);
  }
  return page;
}

/** The node that answers this context's requests through the balancer (HAProxy names it). */
async function servedBy(page: Page): Promise<string> {
  const r = await page.request.get('/api/health');
  return `node-${r.headers()['x-served-by']}`;
}

/** The node holding the leader lock, read from PostgreSQL (the lock session is named after its node). */
async function leaderInDatabase(): Promise<string | null> {
  const rows = await cluster.sql<{ name: string }[]>`
    select a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.classid = ${0x434e} and l.objid = 1 and l.granted
      and l.database = (select oid from pg_database where datname = current_database())`;
  return rows[0]?.name.replace('citynerve-leader:', '') ?? null;
}

/** Every sensor whose last change is at or before the page's sequence shows exactly the stored state. */
async function sensorsDisagreeing(page: Page): Promise<number> {
  const seq = await page.evaluate(() => window.__citynerve!.seq());
  expect(seq).not.toBeNull();
  const rows = await cluster.sql<{ id: number; state: number }[]>`
    select sensor_id as id, state from sensor_state where seq <= ${seq!}`;
  expect(rows.length).toBeGreaterThan(1000);
  return page.evaluate(
    (list) => list.filter(([id, st]) => window.__citynerve!.stateOf(id) !== st).length,
    rows.map((r) => [r.id, r.state] as [number, number]),
  );
}

/** Every row the console shows has the state the database holds. */
async function consoleDisagreeing(page: Page): Promise<string[]> {
  const shown = await page
    .locator('tr[data-code]')
    .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-code')!, tr.getAttribute('data-state')!]));
  expect(shown.length).toBeGreaterThan(0);
  const codes = shown.map(([c]) => c);
  const rows = await cluster.sql<{ code: string; state: string }[]>`
    select code, state from cases where code = any(${codes})`;
  const stored = new Map(rows.map((r) => [r.code, r.state]));
  return shown.filter(([code, state]) => stored.get(code) !== state).map(([code]) => code);
}

// Both ways live events cross nodes: PostgreSQL LISTEN/NOTIFY (the default) and a Redis stream.
for (const adapter of ['postgres', 'redis'] as const) {
  test.describe(`on the ${adapter} adapter`, () => {
    test.skip(adapter === 'redis' && redisDown !== null, redisDown ?? '');

    test.beforeAll(async () => {
      test.setTimeout(240_000);
      cluster = await startCluster(['b', 'a', 'c'], {
        REALTIME_ADAPTER: adapter,
        ...(adapter === 'redis' ? { REDIS_URL: REDIS_URL } : {}),
        // Frequent simulated calls: a second simulator would show as the same calls twice (same seed).
        SIM_CALLS_PER_HOUR: '900',
        SIM_TICK_MS: '500',
        SIM_FAULTS_PER_SENSOR_HOUR: '0.3',
        HEARTBEAT_CHECK_MS: '2000',
        ALARM_SWEEP_MS: '2000',
      });
    });

    // eslint-disable-next-line no-empty-pattern -- Playwright wants a destructuring pattern here
    test.afterEach(async ({}, info) => {
      if (info.status !== info.expectedStatus && cluster) console.log(cluster.logs());
    });

    test.afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => {});
      await cluster?.dispose();
    });

    test(`three nodes behind HAProxy (${adapter} adapter): live across nodes, and a killed node loses nothing`, async ({
      browser,
    }) => {
      test.setTimeout(300_000);
      const { nodes, sql } = cluster;
      expect(await leaderInDatabase()).toBe('node-b');

      // Browsers on node B: the map, the case console and the wall.
      const map = await pinned(browser, 'b', 'officer', '/');
      await waitForMap(map);
      const consolePage = await pinned(browser, 'b', 'officer', '/cases');
      // Subscribed to live case changes (the queue may still be empty: the simulator has only just begun).
      await expect(consolePage.getByTestId('queue-live')).toHaveClass(/\bon\b/);
      const admin = await pinned(browser, 'a', 'admin');
      const created = await admin.request.post('/api/admin/display-tokens', {
        data: { name: 'cluster wall' },
      });
      expect(created.status()).toBe(201);
      const wall = await pinned(browser, 'b', null);
      const display = (await created.json()) as { token: string; displayToken: { id: number } };
      await openWall(wall, display.token, 'scenes=city', { map: false });
      for (const p of [map, consolePage, wall]) expect(await servedBy(p)).toBe('node-b');

      // 1. A case entered and dispatched through node A shows live on the console served by node B.
      const officerA = await pinned(browser, 'a', 'officer');
      expect(await servedBy(officerA)).toBe('node-a');
      const call = await officerA.request.post('/api/tickets', {
        data: {
          channel: 'phone',
          text: `集群测试：小区门口垃圾桶满了没人清运 ${Date.now()}`,
          address: '我家楼下',
        },
      });
      expect(call.status()).toBe(201);
      const code = ((await call.json()) as { caseCode: string }).caseCode;
      const row = consolePage.locator(`tr[data-code="${code}"]`);
      await expect(row).toHaveAttribute('data-state', 'received');
      const [dept] = await sql<{ id: number }[]>`select id from departments order by id limit 1`;
      const dispatched = await officerA.request.post(`/api/cases/${code}/actions`, {
        data: { action: 'dispatch', departmentId: dept.id },
      });
      expect(dispatched.status(), await dispatched.text()).toBe(200);
      await expect(row).toHaveAttribute('data-state', 'dispatched');

      // A new scoring scheme stored through node A reloads the rankings open on node B.
      const ranking = await pinned(browser, 'b', 'leader', '/performance');
      await expect(ranking.getByTestId('ranking-row').first()).toBeVisible();
      const reloaded = ranking.waitForRequest((r) => r.url().includes('/api/performance?month='));
      const scheme = await admin.request.post('/api/performance/schemes', {
        data: {
          name: 'cluster-test',
          totalPoints: 20,
          items: [
            { kpi: 'resolvedOnTimeRate', kind: 'rate', weight: 10, target: 0.9, floor: 0.5 },
            { kpi: 'overdue', kind: 'penalty', weight: 10, perCase: 3, cap: 10 },
          ],
        },
      });
      expect(scheme.status(), await scheme.text()).toBe(201);
      await reloaded;

      // 2. A rule override taken by node C governs a reading ingested by node A.
      const [tuned] = await sql<{ id: number; code: string }[]>`
      select s.id, s.code from sensors s join sensor_types t on t.id = s.type_id
      join sensor_state st on st.sensor_id = s.id
      where t.code = 'manhole' and st.state = 0 order by s.id desc limit 1`;
      // Node A reads the sensor's rules into its cache first, so only a cross-node notice can change them.
      const key = randomBytes(24).toString('hex');
      await sql`insert into gateways (code, name, key_hash)
              values ('gw-cluster', 'cluster test', ${createHash('sha256').update(key).digest('hex')})`;
      const ingestA = (tilt: number, at: number) =>
        fetch(`${nodes.a.url}/api/ingest/readings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify([
            {
              sensor: tuned.code,
              ts: new Date(at).toISOString(),
              values: {
                tilt_deg: tilt,
                displacement_mm: 1,
                open: false,
                water_level_cm: 20,
                battery_pct: 80,
              },
            },
          ]),
        });
      const t0 = Date.now() + 200_000;
      expect((await ingestA(1, t0)).status).toBe(200);
      const officerC = await pinned(browser, 'c', 'officer');
      expect(await servedBy(officerC)).toBe('node-c');
      const put = await officerC.request.put(`/api/sensors/${tuned.id}/rules`, {
        data: { 'manhole.tilt': { on: 3, off: 2 } },
      });
      expect(put.status(), await put.text()).toBe(200);
      // 4° is under the family's 5° and over the override's 3°: an alarm only if node A heard of the change.
      await expect
        .poll(async () => {
          expect((await ingestA(4, t0 + 1000 + Math.random())).status).toBe(200);
          const [st] = await sql<
            { state: number }[]
          >`select state from sensor_state where sensor_id = ${tuned.id}`;
          return st.state;
        })
        .toBe(1);
      const alarms = await sql<{ rule: string }[]>`
      select rule_id as rule from alarms where sensor_id = ${tuned.id} and status <> 'cleared'`;
      expect(alarms.map((a) => a.rule)).toEqual(['manhole.tilt']);
      // …and the map on node B shows it (the feed crosses nodes through the database).
      await map.waitForFunction((id) => window.__citynerve!.stateOf(id) === 1, tuned.id, { timeout: 15_000 });

      // 3. QoS 1 readings stream in while node B, the leader, is killed. One reading per sensor: ingest keeps
      // a sensor's newest reading and drops an older one arriving later (that is what makes redelivery
      // harmless), so a sensor with several readings split over nodes could lose an older one by design.
      const ROUNDS = 12;
      const PER_ROUND = 60;
      const streamed = await sql<{ id: number; code: string; district: string }[]>`
      select s.id, s.code, d.code as district from sensors s join sensor_types t on t.id = s.type_id
      join streets st on st.id = s.street_id join districts d on d.id = st.district_id
      where t.code = 'manhole' and s.id <> ${tuned.id} order by s.id limit ${ROUNDS * PER_ROUND}`;
      expect(streamed).toHaveLength(ROUNDS * PER_ROUND);
      const publisher = await mqtt.connectAsync(cluster.mqttUrl, { protocolVersion: 5, clean: true });
      const base = Date.now() + 240_000; // ahead of the simulator's clock: these readings are always newer
      const published = streamed.length;
      let sent = 0;
      let killedAt = 0;
      for (let round = 0; round < ROUNDS; round++) {
        await Promise.all(
          streamed.slice(round * PER_ROUND, (round + 1) * PER_ROUND).map((s) =>
            publisher.publishAsync(
              `citynerve/${s.district}/manhole/${s.code}/reading`,
              JSON.stringify({
                ts: new Date(base + round * 1000).toISOString(),
                values: { tilt_deg: 1, displacement_mm: 1, open: false, water_level_cm: 20, battery_pct: 80 },
              }),
              { qos: 1 },
            ),
          ),
        );
        sent += PER_ROUND;
        if (round === 3) {
          await nodes.b.kill();
          killedAt = Date.now();
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(sent).toBe(published);
      await publisher.endAsync();

      // The simulator and watchdog move to a surviving node within 10 s.
      await expect.poll(leaderInDatabase, { timeout: 10_000, intervals: [200] }).toMatch(/^node-[ac]$/);
      const tookOverMs = Date.now() - killedAt;
      console.log(`[cluster] ${adapter} adapter: leadership moved in ${tookOverMs} ms`);
      expect(tookOverMs).toBeLessThan(10_000);
      const leader = (await leaderInDatabase())!;
      const health = await (await fetch(`${nodes[leader.slice(-1)].url}/api/health`)).json();
      expect(health).toMatchObject({ leader: true, status: 'ready', adapter });
      // The new leader's simulator calls the hotline and its watchdog checks heartbeats.
      const [{ n: ticketsBefore }] = await sql<
        { n: number }[]
      >`select count(*)::int as n from hotline_tickets`;
      await expect
        .poll(async () => (await sql<{ n: number }[]>`select count(*)::int as n from hotline_tickets`)[0].n, {
          timeout: 30_000,
        })
        .toBeGreaterThan(ticketsBefore);

      // 4. B's browsers reconnect through the balancer to a surviving node and resume from their sequence.
      await expect(map.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected', {
        timeout: 30_000,
      });
      for (const p of [map, consolePage, wall]) expect(await servedBy(p)).toMatch(/^node-[ac]$/);
      await expect(wall.getByTestId('wall-stale')).toHaveCount(0, { timeout: 30_000 });
      // A change made now reaches them on their new node.
      const call2 = await officerA.request.post('/api/tickets', {
        data: { channel: 'phone', text: `集群测试：路灯不亮已经三天了 ${Date.now()}`, address: '我家楼下' },
      });
      const code2 = ((await call2.json()) as { caseCode: string }).caseCode;
      await expect(consolePage.locator(`tr[data-code="${code2}"]`)).toHaveAttribute(
        'data-state',
        'received',
        {
          timeout: 15_000,
        },
      );
      // Sensor by sensor and case by case, what they show is what the database holds.
      await expect.poll(() => sensorsDisagreeing(map), { timeout: 15_000 }).toBe(0);
      await expect.poll(() => sensorsDisagreeing(wall), { timeout: 15_000 }).toBe(0);
      await expect.poll(() => consoleDisagreeing(consolePage), { timeout: 15_000 }).toEqual([]);

      // The wall's token revoked through another node than the one now serving the wall: its socket
      // closes at once (through the adapter), well before the 30 s recheck every node also runs.
      const wallNode = await servedBy(wall);
      const revoker = wallNode === 'node-a' ? await pinned(browser, 'c', 'admin') : admin;
      expect(await servedBy(revoker)).not.toBe(wallNode);
      const revoked = await revoker.request.post(
        `/api/admin/display-tokens/${display.displayToken.id}/revoke`,
      );
      expect(revoked.status(), await revoked.text()).toBe(200);
      await expect(wall.getByTestId('wall-revoked')).toBeVisible({ timeout: 15_000 });

      // 5. Node B comes back under its name: what the broker kept for its session is stored, and every
      // reading published during the kill is stored exactly once.
      await nodes.b.start();
      const ids = streamed.map((s) => s.id);
      const stored = async () =>
        (
          await sql<{ rows: number; distinct: number }[]>`
          select count(*)::int as rows, count(distinct (sensor_id, ts))::int as distinct
          from sensor_readings where sensor_id = any(${ids}) and ts >= ${new Date(base)}`
        )[0];
      await expect.poll(async () => (await stored()).rows, { timeout: 60_000 }).toBe(published);
      expect(await stored()).toEqual({ rows: published, distinct: published });
      // The leader stays where it moved: a returning node does not take the lock back.
      expect(await leaderInDatabase()).toBe(leader);

      // 6. One simulator at a time: no simulated call twice; one alarm sweep at a time: every case opened for
      // an alarm is the one its alarm points at (a second opening would leave a case no alarm names).
      const twice = await sql`
      select text, received_at from hotline_tickets group by text, received_at having count(*) > 1`;
      expect(twice).toHaveLength(0);
      const orphans = await sql`
      select c.code from cases c where c.source = 'sensor'
      and not exists (select 1 from alarms a where a.case_id = c.id)`;
      expect(orphans).toHaveLength(0);

      // 7. A node stopped the polite way drains: its health says so at once (the balancer stops sending
      // it work), it exits cleanly, and its browsers carry on from another node.
      const draining = nodes.c.stop();
      await expect
        .poll(async () => (await fetch(`${nodes.c.url}/api/health`).catch(() => null))?.status ?? 0, {
          intervals: [100],
        })
        .toBe(503);
      const drained = await (await fetch(`${nodes.c.url}/api/health`)).json().catch(() => null);
      if (drained) expect(drained).toMatchObject({ status: 'draining', node: 'node-c' });
      expect(await draining).toBe(0);
      // (A keep-alive connection HAProxy had open to node C may be cut once: the next request goes on.)
      await expect.poll(() => servedBy(officerC).catch((e: Error) => e.message)).toMatch(/^node-[ab]$/);
      const call3 = await officerA.request.post('/api/tickets', {
        data: { channel: 'phone', text: `集群测试：井盖松动有响声 ${Date.now()}`, address: '我家楼下' },
      });
      const code3 = ((await call3.json()) as { caseCode: string }).caseCode;
      await expect(officerC.locator(`tr[data-code="${code3}"]`)).toHaveAttribute('data-state', 'received', {
        timeout: 15_000,
      });
    });
  });
}
