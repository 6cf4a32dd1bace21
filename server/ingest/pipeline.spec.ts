// The pipeline's writers with the database faked: two writers write two batches at the same time, each
// sensor's readings go to one writer in arrival order, and a later reading never loses to an earlier one.
import { describe, expect, it } from 'vitest';
import type { ReadingRow, StateUpdate } from '../db/repositories/ingest.repository';
import type { DeviceReading, SensorInfo } from '../domain/ingest-contract';
import { IngestPipeline, type PipelineDeps } from './pipeline';

const manhole = { tilt_deg: 1, displacement_mm: 0, open: false, water_level_cm: 10, battery_pct: 90 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeDb(writeMs: number) {
  let active = 0;
  let maxActive = 0;
  const states = new Map<number, { reportedAt: Date | null; state: number }>();
  const history: ReadingRow[] = [];
  const batches: number[][] = [];
  const ingest = {
    async transaction<T>(fn: (tx: never) => Promise<T>) {
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        const r = await fn({} as never);
        await sleep(writeMs);
        return r;
      } finally {
        active--;
      }
    },
    async lockStates(ids: readonly number[]) {
      batches.push([...ids]);
      return ids.map((id) => ({
        sensorId: id,
        state: 0,
        reportedAt: states.get(id)?.reportedAt ?? null,
        ruleState: null,
      }));
    },
    async openAlarms() {
      return [];
    },
    async updateStates(rows: readonly StateUpdate[]) {
      for (const r of rows) states.set(r.sensorId, { reportedAt: r.reportedAt, state: r.state });
    },
    async insertReadings(rows: readonly ReadingRow[]) {
      history.push(...rows);
    },
    async insertAlarms() {},
    async updateAlarms() {},
  };
  const sensors = {
    async resolve(codes: Iterable<string>) {
      const m = new Map<string, SensorInfo>();
      for (const code of codes)
        m.set(code, { id: Number(code.slice(3)), code, family: 'manhole', rules: [] });
      return m;
    },
  };
  const deps = {
    ingest,
    deadLetters: { async insertMany() {} },
    sensors,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  } as unknown as PipelineDeps;
  return { deps, states, history, batches, maxActive: () => maxActive };
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
});
