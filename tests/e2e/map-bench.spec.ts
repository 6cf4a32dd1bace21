// The browser part of bench:map as a smoke at demo scale (a few seconds): the same measurement code runs
// against the console and the wall, the layer worker answers, and a delta reaches what the page draws.
// The full sizes run with `npm run bench:map`.
import postgres from 'postgres';
import { measureMapPage } from '../../bench/map-browser';
import { test, expect } from './support/fixtures';

test('bench:map measures first paint, a delta and frame times on the console and the wall', async ({
  page,
  login,
  server,
}) => {
  test.skip(!server.databaseUrl, 'writes sensor states behind the app: needs TEST_DATABASE_URL');
  const sql = postgres(server.databaseUrl!, { max: 1, onnotice: () => {} });
  try {
    const normal = (
      await sql<{ sensor_id: number }[]>`
        select sensor_id from sensor_state where state = 0 order by sensor_id desc limit 300`
    ).map((r) => r.sensor_id);
    const setStates = async (ids: number[], state: number) => {
      await sql`update sensor_state set state = ${state} where sensor_id = any(${ids}::int[])`;
    };
    await login('officer', '/cases');
    for (const path of ['/', '/wall']) {
      const run = await measureMapPage(page.context(), {
        url: `${server.url}${path}`,
        setStates,
        deltaIds: normal.slice(0, 100),
        streamIds: normal.slice(100),
        perSecond: 500,
        streamSeconds: 2,
        windowMs: 500,
        timeoutMs: 60_000,
      });
      expect(run.firstPaintMs, path).toBeGreaterThan(0);
      // The page's own marks split the first paint, in order.
      expect(run.marks.snapshot, path).toBeLessThanOrEqual(run.marks['map-layers']);
      expect(run.marks['map-layers'], path).toBeLessThanOrEqual(run.marks['map-drawn']);
      expect(run.deltaSeenMs, path).toBeLessThan(10_000);
      expect(Number.isFinite(run.workerMs), `${path}: the layer worker answered`).toBe(true);
      expect(run.deltaMs, `${path}: the delta was applied`).toBeGreaterThan(0);
      expect(run.frames.count, `${path}: frames were timed`).toBeGreaterThan(0);
      expect(Number.isFinite(run.frames.p95), path).toBe(true);
    }
  } finally {
    await sql.end();
  }
});
