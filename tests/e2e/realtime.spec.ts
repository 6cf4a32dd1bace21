import postgres from 'postgres';
import { io } from 'socket.io-client';
import { test, expect, waitForMap } from './support/fixtures';

test('the indicator shows reconnecting while the server is down and catches up after, losing nothing', async ({
  page,
  login,
  server,
}) => {
  await login('leader');
  await waitForMap(page);
  const status = page.getByTestId('connection-status');
  await expect(status).toHaveAttribute('data-status', 'connected');

  await server.stop();
  await expect(status).toHaveAttribute('data-status', /reconnecting|stale/, { timeout: 15_000 });
  await expect(status).toContainText(/\d{2}:\d{2}:\d{2}/);

  // Change a sensor while the server is away: the page must learn about it after the restart.
  const sql = server.databaseUrl ? postgres(server.databaseUrl, { max: 1 }) : null;
  let changedId: number | null = null;
  if (sql) {
    const [row] = await sql`select sensor_id from sensor_state where state = 0 order by sensor_id limit 1`;
    changedId = row.sensor_id as number;
    await sql`update sensor_state set state = 3 where sensor_id = ${changedId}`;
  }

  await server.start();
  await expect(status).toHaveAttribute('data-status', 'connected', { timeout: 60_000 });
  if (sql && changedId !== null) {
    await page.waitForFunction((id) => window.__citynerve!.stateOf(id) === 3, changedId, { timeout: 10_000 });
    // Every sensor whose last change is at or before the page's sequence shows exactly the stored state.
    const seq = await page.evaluate(() => window.__citynerve!.seq());
    const rows = await sql`select sensor_id, state from sensor_state where seq <= ${seq!}`;
    const wrong = await page.evaluate(
      (list) => list.filter(([id, st]) => window.__citynerve!.stateOf(id) !== st).length,
      rows.map((r) => [r.sensor_id as number, r.state as number] as [number, number]),
    );
    expect(wrong).toBe(0);
    await sql.end();
  }
});

test('states change live as the simulator reports', async ({ page, login }) => {
  await login('leader');
  await waitForMap(page);
  const first = await page.evaluate(() => window.__citynerve!.seq());
  await page.waitForFunction((s) => (window.__citynerve!.seq() ?? 0) > s!, first, { timeout: 20_000 });
});

test('the socket accepts only signed-in sessions', async ({ server, page, login }) => {
  const refused = io(server.url, { transports: ['websocket'], reconnection: false });
  const err = await new Promise<Error>((resolve) => refused.on('connect_error', resolve));
  expect(err.message).toContain('unauthorized');
  refused.close();

  const forged = io(server.url, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie: 'cn_session=forged' },
  });
  const err2 = await new Promise<Error>((resolve) => forged.on('connect_error', resolve));
  expect(err2.message).toContain('unauthorized');
  forged.close();

  await login('staff', '/cases');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'cn_session')!;
  const ok = io(server.url, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie: `cn_session=${cookie.value}` },
  });
  const hello = await new Promise<{ user: { username: string; role: string } | null }>((resolve) =>
    ok.on('hello', resolve),
  );
  expect(hello.user).toMatchObject({ username: 'staff', role: 'staff' });
  ok.close();
});
