// The pipeline's writers with the database faked: two writers write two batches at the same time, each
// sensor's readings go to one writer in arrival order, a later reading never loses to an earlier one, the
// state cache spares the read of known sensors, and a sensor changed by another writer is re-read locked
// and written again within the same batch.
import { describe, expect, it } from 'vitest';
import type { ReadingWrite } from '../db/repositories/ingest.repository';
import type { DeviceReading, SensorInfo } from '../domain/ingest-contract';
import { IngestPipeline, type PipelineDeps } from './pipeline';

const manhole = { tilt_deg: 1, displacement_mm: 0, open: false, water_level_cm: 10, battery_pct: 90 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeDb(writeMs: number) {
  let active = 0;
  let maxActive = 0;
  /** Row versions are transaction ids, as xmin is: every row a transaction writes gets its number. */
  let version = 100;
  let txVersion = 0;
  type Row = { reportedAt: Date | null; state: number; version: string };
  const states = new Map<number, Row>();
  const history: ReadingWrite[] = [];
  const batches: number[][] = [];
  const reads: ('current' | 'locked')[] = [];
  /** Sensors another writer changes between this pipeline's read and its write (once each). */
  const interfere = new Set<number>();
  const undo: [number, Row | undefined][] = [];
  const read = (ids: readonly number[]) =>
    ids.map((id) => {
      const s = states.get(id);
      return {
        sensorId: id,
        state: 0,
        reportedAt: s?.reportedAt ?? null,
        ruleState: null,
        version: s?.version ?? '1',
      };
    });
  const ingest = {
    async transaction<T>(fn: (tx: never) => Promise<T>) {
      active++;
      maxActive = Math.max(maxActive, active);
      txVersion = ++version;
      try {
        // Like a real transaction: when fn throws, this batch's writes are undone (rollback).
        const historyBefore = history.length;
        undo.length = 0;
        try {
          const r = await fn({} as never);
          await sleep(writeMs);
          return r;
        } catch (err) {
          for (const [id, prev] of undo.reverse()) {
            if (prev) states.set(id, prev);
            else states.delete(id);
          }
          history.length = historyBefore;
          throw err;
        }
      } finally {
        active--;
      }
    },
    async currentStates(ids: readonly number[]) {
      if (ids.length === 0) return []; // as the repository: no query at all
      batches.push([...ids]);
      reads.push('current');
      const out = read(ids);
      for (const id of ids) {
        if (!interfere.delete(id)) continue;
        const s = states.get(id);
        states.set(id, { reportedAt: s?.reportedAt ?? null, state: 3, version: String(++version) });
      }
      return out;
    },
    async lockStates(ids: readonly number[]) {
      batches.push([...ids]);
      reads.push('locked');
      return read(ids);
    },
    async openAlarms() {
      return [];
    },
    async writeReadings(rows: readonly ReadingWrite[]) {
      // Compare-and-set per sensor: a changed row is left alone, with its history rows.
      const stale = new Set(
        rows
          .filter((r) => r.latest && (states.get(r.sensorId)?.version ?? '1') !== r.latest.version)
          .map((r) => r.sensorId),
      );
      for (const r of rows) {
        if (stale.has(r.sensorId)) continue;
        history.push(r);
        if (!r.latest) continue;
        undo.push([r.sensorId, states.get(r.sensorId)]);
        states.set(r.sensorId, { reportedAt: r.ts, state: r.state, version: String(txVersion) });
      }
      return { stale: [...stale].sort((a, b) => a - b), version: String(txVersion) };
    },
    async insertAlarms() {},
    async updateAlarms() {},
  };
  const info = (code: string): SensorInfo => ({
    id: Number(code.slice(3)),
    code,
    family: 'manhole',
    rules: [],
  });
  const sensors = {
    peek: info,
    async resolve(codes: Iterable<string>) {
      return new Map([...codes].map((code) => [code, info(code)]));
    },
  };
  const deps = {
    ingest,
    deadLetters: { async insertMany() {} },
    sensors,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  } as unknown as PipelineDeps;
  return { deps, states, history, batches, reads, interfere, maxActive: () => maxActive };
}

const reading = (id: number, second: number): { reading: DeviceReading; envelope: never } => ({
  reading: {
    sensorCode: `MH-${id}`,
    ts: new Date(Date.UTC(2026, 10, 27, 0, 0, second)),
    values: manhole,
  } as DeviceReading,
  envelope: { channel: 'mqtt', source: null, payload: null } as never,
});

describe('ingest pipeline writers', () => {
  it('two writers write at the same time, each with its own sensors', async () => {
    const db = fakeDb(30);
    const p = new IngestPipeline(db.deps, { batchMs: 5, batchMax: 50, maxFutureSkewMs: 1e12, writers: 2 });
    const items = Array.from({ length: 400 }, (_, i) => reading(i + 1, i % 50));
    const results = await p.submit(items);
    await p.close();
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    expect(db.maxActive()).toBe(2);
    for (const b of db.batches) expect(new Set(b.map((id) => id % 2)).size).toBe(1);
    expect(db.history).toHaveLength(400);
  });

  it("keeps one sensor's readings in arrival order, so none is mistaken for a stale repeat", async () => {
    const db = fakeDb(5);
    const p = new IngestPipeline(db.deps, { batchMs: 2, batchMax: 10, maxFutureSkewMs: 1e12, writers: 2 });
    const submits = [];
    for (let second = 0; second < 30; second++)
      submits.push(p.submit([reading(7, second), reading(8, second)]));
    const results = (await Promise.all(submits)).flat();
    await p.close();
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(0);
    expect(db.history.filter((h) => h.sensorId === 7).map((h) => h.ts.getUTCSeconds())).toEqual(
      Array.from({ length: 30 }, (_, i) => i),
    );
    expect(db.states.get(7)!.reportedAt!.getUTCSeconds()).toBe(29);
  });

  it('one writer never overlaps itself', async () => {
    const db = fakeDb(10);
    const p = new IngestPipeline(db.deps, { batchMs: 2, batchMax: 20, maxFutureSkewMs: 1e12 });
    await p.submit(Array.from({ length: 100 }, (_, i) => reading(i + 1, 1)));
    await p.close();
    expect(db.maxActive()).toBe(1);
  });

  it('takes known sensors from the state cache and re-reads, locked, one another writer changed', async () => {
    const db = fakeDb(1);
    const p = new IngestPipeline(db.deps, { batchMs: 2, batchMax: 100, maxFutureSkewMs: 1e12 });
    await p.submit([reading(1, 1), reading(2, 1)]);
    // Another writer (the heartbeat check, another node) changes sensor 2 after this node cached it.
    db.states.set(2, { ...db.states.get(2)!, state: 3, version: '9999' });
    const results = await p.submit([reading(1, 2), reading(2, 2), reading(3, 2)]);
    await p.close();
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    // Batch 1 read both sensors; batch 2 read only the new one, then sensor 2 again, locked.
    expect(db.batches).toEqual([[1, 2], [3], [2]]);
    expect(db.reads).toEqual(['current', 'current', 'locked']);
    expect(p.stats()).toMatchObject({ conflicts: 1, cacheHits: 2, cachedStates: 3 });
    // Each reading stored once; sensor 2's state is its reading's (0), not the other writer's 3.
    expect(db.history.map((h) => [h.sensorId, h.ts.getUTCSeconds()]).sort()).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
      [3, 2],
    ]);
    expect(db.states.get(2)!.state).toBe(0);
  });

  it('re-reads, locked, a sensor another writer changed between its read and the write', async () => {
    const db = fakeDb(1);
    const p = new IngestPipeline(db.deps, {
      batchMs: 2,
      batchMax: 100,
      maxFutureSkewMs: 1e12,
      cacheStates: false,
    });
    await p.submit([reading(1, 1), reading(2, 1)]);
    db.interfere.add(2); // e.g. the heartbeat marks sensor 2 offline while the next batch runs its rules
    const results = await p.submit([reading(1, 2), reading(2, 2), reading(3, 2)]);
    await p.close();
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(db.reads).toEqual(['current', 'current', 'locked']);
    expect(db.batches.at(-1)).toEqual([2]);
    expect(p.stats()).toMatchObject({ conflicts: 1, cacheHits: 0, cachedStates: 0 });
    expect(db.history).toHaveLength(5);
    expect(db.states.get(2)!.state).toBe(0);
  });

  it('keeps the cache unchanged when a batch does not commit', async () => {
    const db = fakeDb(1);
    const p = new IngestPipeline(db.deps, { batchMs: 2, batchMax: 100, maxFutureSkewMs: 1e12, backoffMs: 1 });
    await p.submit([reading(1, 1)]);
    const insertAlarms = db.deps.ingest.insertAlarms;
    let failures = 1;
    db.deps.ingest.insertAlarms = async (...args) => {
      if (failures-- > 0) throw new Error('connection lost');
      return insertAlarms(...args);
    };
    const results = await p.submit([reading(1, 2)]);
    await p.close();
    // The failed attempt rolled back; had it left its version in the cache, the retry would conflict.
    expect(results).toEqual([{ status: 'accepted' }]);
    expect(p.stats()).toMatchObject({ failedWrites: 1, conflicts: 0 });
    expect(db.history.map((h) => h.ts.getUTCSeconds())).toEqual([1, 2]);
  });

  it('remembers which sensors real devices report once asked, and not those the simulator reports', async () => {
    const db = fakeDb(1);
    const p = new IngestPipeline(db.deps, { batchMs: 2, batchMax: 100, maxFutureSkewMs: 1e12 });
    await p.submit([reading(1, 1)]); // before anyone asked: nothing kept
    const devices = p.trackDevices();
    const simulated = {
      reading: reading(3, 2).reading,
      envelope: { channel: 'mqtt', source: 'sim', payload: null, simulated: true } as never,
    };
    const results = await p.submit([reading(2, 2), simulated]);
    await p.close();
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect([...devices]).toEqual(['MH-2']);
  });
});
