import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { sensorFeedRepository } from '../../server/db/repositories/sensor-feed.repository';
import { tableFromRows } from '../../server/realtime/sensor-hub';
import type { Database } from '../../server/db/client';
import { database, engines, resetDatabase } from './support/databases';

async function seed(db: Database, n: number) {
  await db.orm.execute(
    sql`insert into sensor_types (code, name, name_en) values ('manhole', '井盖', 'Manhole cover')`,
  );
  await db.orm.execute(sql`
    insert into sensors (code, type_id, geom)
    select 'T-' || i, 1, ST_SetSRID(ST_MakePoint(121.40 + i * 0.0001, 31.15 + i * 0.0001), 4326)
    from generate_series(1, ${n}) i`);
  await db.orm.execute(sql`insert into sensor_state (sensor_id, state) select id, 0 from sensors`);
}

describe.each(engines())('sensor change feed on %s', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await seed(db, 50);
  });

  it('numbers every state change and only state changes', async () => {
    const feed = sensorFeedRepository(db);
    const s0 = await feed.currentSeq();
    expect(s0).toBe(50); // one per inserted row
    await db.orm.execute(sql`update sensor_state set state = 2 where sensor_id in (3, 7)`);
    await db.orm.execute(sql`update sensor_state set reading = '{"tilt_deg": 1}'::jsonb where sensor_id = 9`);
    const changes = await feed.changesSince(s0);
    expect(changes.rows.map((r) => [r.id, r.state]).sort((a, b) => a[0] - b[0])).toEqual([
      [3, 2],
      [7, 2],
    ]);
    expect(changes.seq).toBe(s0 + 2);
  });

  it('gives a snapshot consistent with its sequence, packed into typed arrays', async () => {
    const feed = sensorFeedRepository(db);
    const snap = await feed.snapshot();
    expect(snap.rows).toHaveLength(50);
    const table = tableFromRows(snap);
    expect(table.count).toBe(50);
    expect(table.seq).toBe(await feed.currentSeq());
    const i = Array.from(table.ids).indexOf(3);
    expect(table.states[i]).toBe(2);
    // positions survive the float32 offsets to within a few centimetres
    expect(table.origin[0] + table.offsets[2 * i]).toBeCloseTo(121.4003, 6);
    expect(table.families).toEqual(['manhole']);
  });

  it('resumes a client exactly: the changes since its sequence, each sensor once at its latest state', async () => {
    const feed = sensorFeedRepository(db);
    const since = await feed.currentSeq();
    await db.orm.execute(sql`update sensor_state set state = 1 where sensor_id = 11`);
    await db.orm.execute(sql`update sensor_state set state = 3 where sensor_id = 11`);
    await db.orm.execute(sql`update sensor_state set state = 0 where sensor_id = 3`);
    expect(await feed.countChangedSince(since)).toBe(2);
    const changes = await feed.changesSince(since);
    expect(changes.rows.map((r) => [r.id, r.state])).toEqual([
      [11, 3],
      [3, 0],
    ]);
  });
});
