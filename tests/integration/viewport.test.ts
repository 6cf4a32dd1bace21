// The sensor hub over a real Socket.IO connection and a real database: deltas cut to a client's viewport,
// city-wide counts alongside, and sensors coming into view caught up with their current state.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sensorFeedRepository } from '../../server/db/repositories/sensor-feed.repository';
import type { Database } from '../../server/db/client';
import { createLogger } from '../../server/log';
import { SensorHub } from '../../server/realtime/sensor-hub';
import { decodeCatchup, decodeDelta } from '../../src/lib/streams/codec';
import type {
  ClientToServerEvents,
  SensorCatchupFrame,
  SensorDeltaFrame,
  ServerToClientEvents,
} from '../../src/lib/streams/contract';
import { database, engines, resetDatabase } from './support/databases';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Sensor i sits at (121.40 + i/1000, 31.20): a row from west to east. */
const lonOf = (i: number) => 121.4 + i / 1000;

describe.each(engines())('viewport-scoped deltas on %s', (engine) => {
  let db: Database;
  let http: HttpServer;
  let hub: SensorHub;
  let client: Client;
  const deltas: { ids: number[]; states: number[]; counts?: number[]; familyCounts?: number[] }[] = [];
  const catchups: { ids: number[]; states: number[] }[] = [];

  const waitFor = async <T>(find: () => T | undefined, ms = 5000): Promise<T> => {
    const t0 = Date.now();
    for (;;) {
      const v = find();
      if (v !== undefined) return v;
      if (Date.now() - t0 > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await db.orm.execute(
      sql`insert into sensor_types (code, name, name_en) values ('manhole', '井盖', 'Manhole')`,
    );
    await db.orm.execute(sql`
      insert into sensors (code, type_id, geom)
      select 'V-' || i, 1, ST_SetSRID(ST_MakePoint(121.4 + i / 1000.0, 31.2), 4326) from generate_series(1, 50) i`);
    await db.orm.execute(sql`insert into sensor_state (sensor_id, state) select id, 0 from sensors`);

    http = createServer();
    const ioServer = new Server<ClientToServerEvents, ServerToClientEvents>(http);
    hub = new SensorHub(
      ioServer,
      sensorFeedRepository(db),
      { pollMs: 50, resumeMaxChanges: 1000 },
      createLogger('silent'),
    );
    ioServer.on('connection', (socket) => {
      socket.on('sensors:subscribe', (req, ack) => void hub.subscribe(socket, req, ack));
      socket.on('sensors:viewport', (req) => void hub.viewport(socket, req?.bbox ?? null));
      socket.on('disconnect', () => hub.forget(socket.id));
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    hub.start();
    client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, {
      transports: ['websocket'],
    });
    client.on('sensors:delta', (f: SensorDeltaFrame) => {
      const d = decodeDelta(f);
      if (d.ids.length)
        deltas.push({
          ids: Array.from(d.ids),
          states: Array.from(d.states),
          counts: f.counts,
          familyCounts: f.familyCounts,
        });
    });
    client.on('sensors:catchup', (f: SensorCatchupFrame) => {
      const c = decodeCatchup(f);
      catchups.push({ ids: Array.from(c.ids), states: Array.from(c.states) });
    });
    await new Promise<void>((r) => client.on('connect', () => r()));
    const ack = await client.timeout(5000).emitWithAck('sensors:subscribe', { sinceSeq: null });
    expect(ack).toMatchObject({ ok: true, mode: 'snapshot' });
  });

  afterAll(async () => {
    client?.close();
    await hub?.stop();
    await new Promise((r) => http?.close(r));
  });

  it('sends only the changes inside the viewport, with the city-wide counts', async () => {
    // Sensors 1..10 are in view.
    client.emit('sensors:viewport', { bbox: [lonOf(0.5), 31.19, lonOf(10.5), 31.21] });
    await new Promise((r) => setTimeout(r, 200));
    deltas.length = 0;
    await db.orm.execute(sql`update sensor_state set state = 2 where sensor_id in (5, 40)`);
    const d = await waitFor(() => deltas.find((x) => x.ids.length > 0));
    expect(d.ids).toEqual([5]);
    expect(d.states).toEqual([2]);
    expect(d.counts).toEqual([48, 0, 2, 0]);
    expect(d.familyCounts).toEqual([48, 0, 2, 0]); // the one family of this city
  });

  it('catches up sensors that come into view with their current state', async () => {
    catchups.length = 0;
    client.emit('sensors:viewport', { bbox: [lonOf(35.5), 31.19, lonOf(45.5), 31.21] });
    const c = await waitFor(() => catchups[0]);
    expect(c.ids).toContain(40);
    expect(c.states[c.ids.indexOf(40)]).toBe(2);
    expect(c.ids).not.toContain(5); // outside the new view
  });

  it('ignores a malformed viewport and keeps the scope it had', async () => {
    client.emit('sensors:viewport', { bbox: [200, 0, 100, 1] as never });
    deltas.length = 0;
    await db.orm.execute(sql`update sensor_state set state = 1 where sensor_id in (3, 42)`);
    const d = await waitFor(() => deltas.find((x) => x.ids.length > 0));
    expect(d.ids).toEqual([42]);
  });

  it('returns to the whole city and catches up everything missed while scoped', async () => {
    catchups.length = 0;
    deltas.length = 0;
    client.emit('sensors:viewport', { bbox: null });
    const c = await waitFor(() => catchups[0]);
    // 5 and 3 changed while they were out of view.
    expect(c.ids).toEqual(expect.arrayContaining([3, 5]));
    await db.orm.execute(sql`update sensor_state set state = 3 where sensor_id = 1`);
    const d = await waitFor(() => deltas.find((x) => x.ids.includes(1)));
    expect(d.counts).toBeUndefined(); // unscoped deltas carry no counts: the client has everything
    expect(d.familyCounts).toBeUndefined();
  });
});
