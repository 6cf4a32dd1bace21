// The live alarm feed on every engine: alarms opened, escalated, linked to a case and cleared by ingest
// and the sweep, and acknowledged by officers, reach the feed in commit order with nothing skipped, also
// while ingest, acknowledgements and the reader run at once. On PostgreSQL also: a change that commits
// after a later-numbered one is not skipped, and the reader gives way instead of deadlocking with a writer
// that locked an alarm row before the feed lock.
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { alarmFeedRepository } from '../../server/db/repositories/alarm-feed.repository';
import { alarmsRepository } from '../../server/db/repositories/alarms.repository';
import { deadLettersRepository } from '../../server/db/repositories/dead-letters.repository';
import { ingestRepository, type GatewayRow } from '../../server/db/repositories/ingest.repository';
import { readingsPartitionsRepository } from '../../server/db/repositories/readings-partitions.repository';
import { createIngest, type IngestRuntime } from '../../server/ingest/runtime';
import { createLogger } from '../../server/log';
import { AlarmFeed } from '../../server/realtime/alarm-feed';
import { alarmService, type AlarmService } from '../../server/services/alarm.service';
import { gatewayService } from '../../server/services/gateway.service';
import { generateDemoCity } from '../../server/sim/generate-city';
import type { AlarmFeedItem, AlarmsChangedFrame } from '../../src/lib/streams/contract';
import { database, engines, resetDatabase } from './support/databases';

const log = createLogger('silent');
const HEALTHY = { tilt_deg: 1, displacement_mm: 1, open: false, water_level_cm: 20, battery_pct: 80 };
/** Device time: always later than anything stored before, never beyond the allowed clock skew. */
let clock = Date.now();
const deviceNow = () => (clock = Math.max(Date.now(), clock + 1000));

/** An AlarmFeed whose Socket.IO server only records what it would send. */
function recordingFeed(db: Database, maxFrameAlarms = 1000) {
  const frames: AlarmsChangedFrame[] = [];
  const room = { to: () => ({ emit: (_event: string, frame: AlarmsChangedFrame) => frames.push(frame) }) };
  const io = { local: room };
  const feed = new AlarmFeed(io as never, alarmFeedRepository(db), { pollMs: 50, maxFrameAlarms }, log);
  return { feed, frames };
}

/** Frames must chain: each starts where the last ended, and numbers only grow. */
function expectChained(frames: AlarmsChangedFrame[], from: number) {
  let at = from;
  for (const f of frames) {
    expect(f.fromSeq, 'a frame starts where the previous one ended').toBe(at);
    expect(f.seq).toBeGreaterThan(f.fromSeq);
    const seqs = f.alarms.map((a) => a.seq);
    expect(seqs, 'alarms of a frame in feed order').toEqual([...seqs].sort((a, b) => a - b));
    for (const s of seqs) expect(s > f.fromSeq && s <= f.seq).toBe(true);
    at = f.seq;
  }
  return at;
}

/** The last state the feed sent of each alarm. */
function lastSent(frames: AlarmsChangedFrame[]): Map<number, AlarmFeedItem> {
  const out = new Map<number, AlarmFeedItem>();
  for (const f of frames) for (const a of f.alarms) out.set(a.id, a);
  return out;
}

describe.each(engines())('live alarm feed on %s', (engine) => {
  let db: Database;
  let ingest: IngestRuntime;
  let alarms: AlarmService;
  let gateway: GatewayRow;
  let officer: { id: number; name: string };
  let manholes: { id: number; code: string }[];

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 400, seed: 'alarm-feed' });
    manholes = await db.rows<{ id: number; code: string }>(sql`
      select s.id, s.code from sensors s join sensor_types t on t.id = s.type_id
      where t.code = 'manhole' order by s.id`);
    const [u] = await db.rows<{ id: number }>(sql`
      insert into users (username, display_name, password_hash, role)
      values ('feed-officer', '值班员周敏', 'x', 'officer') returning id`);
    officer = { id: u.id, name: '值班员周敏' };
    const repos = {
      ingest: ingestRepository(db),
      deadLetters: deadLettersRepository(db),
      readingsPartitions: readingsPartitionsRepository(db),
    };
    ingest = createIngest(loadConfig({ INGEST_BATCH_MS: '10', LOG_LEVEL: 'silent' }), repos, log);
    await ingest.sensors.load();
    alarms = alarmService({ alarms: alarmsRepository(db), log });
    gateway = (await gatewayService({ ingest: repos.ingest }).create(`feed-${engine}`, 'feed test')).gateway;
    return () => ingest.pipeline.close();
  });

  /** Sends readings through HTTP ingest; resolves once stored. */
  async function send(readings: { code: string; tilt: number }[]) {
    const t = deviceNow();
    const body = JSON.stringify(
      readings.map((r, i) => ({ sensor: r.code, ts: t + i, values: { ...HEALTHY, tilt_deg: r.tilt } })),
    );
    const r = await ingest.http.ingest(gateway, body, 'application/json');
    expect(r.body.rejected).toEqual([]);
    return t;
  }

  const alarmOf = async (sensorId: number) =>
    Number(
      (
        await db.rows<{ id: string | number }>(
          sql`select id from alarms where sensor_id = ${sensorId} order by id desc limit 1`,
        )
      )[0].id,
    );

  it('sends each change of ingest, acknowledgement, escalation and case, in commit order', async () => {
    const { feed, frames } = recordingFeed(db);
    await feed.poll(); // takes the current position
    const start = (await alarmFeedRepository(db).currentSeq())!;
    const [a, b] = [manholes[0], manholes[1]];
    const step = async () => {
      await feed.poll();
      return frames.at(-1)!;
    };

    const opened = await send([
      { code: a.code, tilt: 30 }, // critical
      { code: b.code, tilt: 8 }, // warning
    ]);
    const f1 = await step();
    const [alarmA, alarmB] = [await alarmOf(a.id), await alarmOf(b.id)];
    expect(f1.alarms.map((x) => [x.id, x.status, x.severity]).sort()).toEqual(
      [
        [alarmA, 'open', 2],
        [alarmB, 'open', 1],
      ].sort(),
    );
    expect(f1.alarms.find((x) => x.id === alarmA)).toMatchObject({
      sensorId: a.id,
      sensorCode: a.code,
      ruleId: 'manhole.tilt',
      acknowledgedBy: null,
      escalationLevel: 0,
      caseCode: null,
    });
    expect(f1.counts).toMatchObject({ open: 2, acknowledged: 0, critical: 1 });

    expect((await alarms.acknowledge(alarmA, officer, new Date())).ok).toBe(true);
    const f2 = await step();
    expect(f2.alarms).toEqual([
      expect.objectContaining({ id: alarmA, status: 'acknowledged', acknowledgedBy: officer.name }),
    ]);
    expect(f2.counts).toMatchObject({ open: 1, acknowledged: 1 });

    // A case for A: the case service's job, written directly so this test does not depend on it (and the
    // sweep below then has no case to open).
    await db.orm.transaction(async (tx) => {
      const [c] = await db.rows<{ id: number }>(
        sql`insert into cases (code, title) values ('AL-FEED-1', 'feed test') returning id`,
        tx as never,
      );
      await tx.execute(sql`update alarms set case_id = ${c.id} where id = ${alarmA}`);
    });
    const f3 = await step();
    expect(f3.alarms).toEqual([expect.objectContaining({ id: alarmA, caseCode: 'AL-FEED-1' })]);

    // Eleven minutes on, the sweep escalates B (unacknowledged), not A (acknowledged).
    const sweep = await alarms.sweep(new Date(opened + 11 * 60_000));
    expect(sweep.escalated).toEqual([{ alarmId: alarmB, level: 1 }]);
    const f4 = await step();
    expect(f4.alarms).toEqual([expect.objectContaining({ id: alarmB, escalationLevel: 1, status: 'open' })]);

    // A repeat only counts an occurrence: no frame. The all-clear is one.
    await send([{ code: b.code, tilt: 8 }]);
    expect(await feed.poll()).toBe(0);
    await send([{ code: a.code, tilt: 1 }]);
    const f5 = await step();
    expect(f5.alarms).toEqual([expect.objectContaining({ id: alarmA, status: 'cleared' })]);
    expect(f5.counts).toMatchObject({ open: 1, acknowledged: 0, critical: 0 });

    expect(frames).toHaveLength(5);
    expectChained(frames, start);
  });

  it('skips nothing while ingest, acknowledgements and the reader run at once', async () => {
    const { feed, frames } = recordingFeed(db, 25); // small frames: the reader also has to page
    await feed.poll();
    const start = (await alarmFeedRepository(db).currentSeq())!;
    const targets = manholes.slice(10, 90);
    let writing = true;
    const reader = (async () => {
      while (writing) {
        await feed.poll();
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const acked: number[] = [];
    const writers = Array.from({ length: 12 }, async (_, round) => {
      // Each round raises alarms on some sensors and clears others; officers acknowledge what they see.
      const batch = targets.map((s, i) => ({ code: s.code, tilt: (i + round) % 3 === 0 ? 1 : 8 + round }));
      await send(batch);
      const open = await db.rows<{ id: number }>(
        sql`select id from alarms where status = 'open' order by random() limit 5`,
      );
      for (const { id } of open) {
        const r = await alarms.acknowledge(Number(id), officer, new Date());
        if (r.ok) acked.push(Number(id));
      }
    });
    await Promise.all(writers);
    writing = false;
    await reader;
    while ((await feed.poll()) > 0); // the rest, page by page

    const end = expectChained(frames, start);
    const rows = await db.rows<{ id: number; status: string; seq: string | number }>(
      sql`select id, status, feed_seq as seq from alarms where feed_seq > ${start} order by feed_seq`,
    );
    expect(rows.length).toBeGreaterThan(targets.length);
    expect(end).toBeGreaterThanOrEqual(Number(rows.at(-1)!.seq));
    const sent = lastSent(frames);
    for (const r of rows) {
      // Every alarm changed in the run was sent, and the last thing sent is its state now.
      expect(sent.get(Number(r.id)), `alarm ${r.id}`).toMatchObject({ status: r.status, seq: Number(r.seq) });
    }
    expect(acked.length).toBeGreaterThan(0);
    for (const id of acked) expect(sent.get(id)!.status).not.toBe('open');
    console.log(
      `[alarm-feed] ${engine}: ${rows.length} alarms changed, ${frames.length} frames, ${acked.length} acknowledged`,
    );
  });

  it.runIf(engine === 'postgres')(
    'does not skip a change that commits after a later-numbered one',
    async () => {
      const { feed, frames } = recordingFeed(db);
      await send([
        { code: manholes[100].code, tilt: 30 },
        { code: manholes[101].code, tilt: 30 },
      ]);
      const [early, late] = [await alarmOf(manholes[100].id), await alarmOf(manholes[101].id)];
      await feed.poll();
      const start = (await alarmFeedRepository(db).currentSeq())!;
      const slow = postgres(inject('pgTestUrl'), { max: 1, onnotice: () => {} });
      try {
        // `early` takes its number first but commits last.
        await slow`begin`;
        await slow`update alarms set status = 'acknowledged', acknowledged_by = ${officer.id},
                   acknowledged_at = now() where id = ${early}`;
        expect((await alarms.acknowledge(late, officer, new Date())).ok).toBe(true);
        expect(await feed.poll(), 'the reader waits for the open transaction').toBe(0);
        expect(frames).toHaveLength(0);
        await slow`commit`;
      } finally {
        await slow.end();
      }
      await feed.poll();
      expect(frames.flatMap((f) => f.alarms.map((a) => a.id))).toEqual([early, late]);
      expectChained(frames, start);
    },
  );

  it.runIf(engine === 'postgres')(
    'gives way to writers instead of deadlocking with one that locked an alarm row first',
    async () => {
      await send([
        { code: manholes[110].code, tilt: 30 },
        { code: manholes[111].code, tilt: 30 },
      ]);
      const [x, y] = [await alarmOf(manholes[110].id), await alarmOf(manholes[111].id)];
      const { feed, frames } = recordingFeed(db);
      await feed.poll();
      const start = (await alarmFeedRepository(db).currentSeq())!;
      const url = inject('pgTestUrl');
      const [tx, ty, watch] = [1, 2, 3].map(() => postgres(url, { max: 1, onnotice: () => {} }));
      const waiting = async (n: number) => {
        for (let i = 0; i < 200; i++) {
          const [r] = await watch<{ n: number }[]>`
            select count(*)::int as n from pg_locks
            where not granted and locktype = 'advisory'
              and database = (select oid from pg_database where datname = current_database())`;
          if (r.n >= n) return;
          await new Promise((res) => setTimeout(res, 10));
        }
        throw new Error(`never saw ${n} waiting feed-lock requests`);
      };
      try {
        // tx holds the feed lock shared (it changed y); ty holds x's row, as openCase does before its update.
        await tx`begin`;
        await tx`update alarms set escalation_level = 1 where id = ${y}`;
        await ty`begin`;
        await ty`select id from alarms where id = ${x} for update`;
        // The reader queues for the feed lock behind tx; ty's update queues behind the reader; tx then
        // needs x's row, held by ty: a cycle only the reader's lock_timeout breaks.
        const read = feed.poll();
        await waiting(1);
        const tyUpdate = ty`update alarms set escalation_level = 1 where id = ${x}`.then(() => ty`commit`);
        await waiting(2);
        const txUpdate = tx`update alarms set escalation_level = 2 where id = ${x}`.then(() => tx`commit`);
        expect(await read, 'the reader gave up and will come back').toBe(0);
        await Promise.all([tyUpdate, txUpdate]); // neither writer was chosen as a deadlock victim
      } finally {
        await Promise.all([tx.end(), ty.end(), watch.end()]);
      }
      await feed.poll();
      expect(new Set(frames.flatMap((f) => f.alarms.map((a) => a.id)))).toEqual(new Set([x, y]));
      expectChained(frames, start);
    },
  );
});
