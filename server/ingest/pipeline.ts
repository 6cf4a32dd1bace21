// The ingest core shared by MQTT and HTTP: resolves each reading's sensor, refuses bad ones into dead
// letters, and writes everything in batches of one transaction each (latest state, reading history,
// alarms, dead letters; see batch-write.ts). A caller's promise resolves only after its batch committed,
// which is what lets MQTT hold back the PUBACK and HTTP answer "stored". A failing database is retried
// with backoff, never dropped; while it fails, submit() waits (backpressure) instead of queueing without
// bound. Readings are split over the writers by sensor id, so each sensor's readings are written in
// arrival order by one writer and the writers never wait for each other's rows.
import type { DeadLettersRepository } from '../db/repositories/dead-letters.repository';
import type { StateVisitor } from '../db/repositories/ingest.repository';
import { checkFamily, isRejection, validateValues } from '../domain/ingest';
import type { DeviceReading, Rejection, SensorInfo } from '../domain/ingest-contract';
import type { Logger } from '../log';
import {
  writeBatch,
  type BatchRepository,
  type IngestItem,
  type ItemResult,
  type Pending,
} from './batch-write';
import type { SensorCache } from './sensor-cache';
import { StateCache } from './state-cache';

export type { IngestEnvelope, IngestItem, ItemResult } from './batch-write';

/** Settings of the pipeline. */
export interface PipelineOptions {
  /** A batch is written this long after its first item arrived, ms. */
  batchMs: number;
  /** A batch is written as soon as it holds this many items. */
  batchMax: number;
  /** How far a device clock may run ahead of the server's, ms (checked again here for every channel). */
  maxFutureSkewMs: number;
  /** Items queued beyond which submit() waits for the writer (default 4 × batchMax). */
  highWater?: number;
  /** First retry delay after a failed write, ms (doubles up to maxBackoffMs). */
  backoffMs?: number;
  /** Longest retry delay, ms. */
  maxBackoffMs?: number;
  /** A batch write taking longer than this is given up and retried, ms (default 30 s). */
  writeTimeoutMs?: number;
  /**
   * Concurrent batch writers (default 1). Readings are split by sensor id, so each sensor's readings are
   * still written in arrival order by one writer, and two writers never wait for each other's rows.
   */
  writers?: number;
  /**
   * Keep each sensor's last written state in memory between batches (default true), so a batch does not
   * read its state rows back; a sensor another writer changed is still caught and re-read.
   */
  cacheStates?: boolean;
  /** Clock (tests pass their own). */
  now?: () => Date;
}

/** What the pipeline needs from the rest of the server. */
export interface PipelineDeps {
  ingest: BatchRepository;
  deadLetters: Pick<DeadLettersRepository, 'insertMany'>;
  sensors: SensorCache;
  log: Logger;
}

/** Counters since start. */
export interface IngestStats {
  /** Readings stored (state and/or history). */
  accepted: number;
  /** Readings not newer than the stored state: dropped without harm (redelivery, replay, reordering). */
  duplicates: number;
  /** Messages refused into dead letters. */
  rejected: number;
  /** Refusals per reason. */
  byReason: Record<string, number>;
  /** Batches committed. */
  batches: number;
  /** Failed write attempts (each was retried). */
  failedWrites: number;
  /** Sensors re-read with their row locked because another writer had changed it (or it did not exist). */
  conflicts: number;
  /** Sensors whose state a batch took from the state cache instead of reading it. */
  cacheHits: number;
  /** Sensors in the state cache. */
  cachedStates: number;
  /** Items waiting for the writer right now. */
  queued: number;
  /** True while the database is failing and the current batch is being retried. */
  retrying: boolean;
  /** Duration of the last committed batch, ms. */
  lastBatchMs: number;
  /** Size of the last committed batch. */
  lastBatchSize: number;
}

/** One submit() call: resolves when the last of its items is stored. */
interface Ticket {
  results: ItemResult[];
  left: number;
  resolve: (r: ItemResult[]) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A write that hangs (a driver stuck on a dead connection) counts as failed and is retried. Should the
 * stuck transaction commit later after all, the retry finds its readings not newer and drops them.
 */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`batch write took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** One writer's queue: the readings of the sensors whose id falls to it. */
interface Lane {
  queue: Pending[];
  timer: NodeJS.Timeout | null;
  writing: Promise<void> | null;
  /** True while this lane's current batch is being retried after a failure. */
  retrying: boolean;
}

export class IngestPipeline {
  private readonly lanes: Lane[];
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly counters: IngestStats = {
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    byReason: {},
    batches: 0,
    failedWrites: 0,
    conflicts: 0,
    cacheHits: 0,
    cachedStates: 0,
    queued: 0,
    retrying: false,
    lastBatchMs: 0,
    lastBatchSize: 0,
  };
  private readonly now: () => Date;
  private readonly highWater: number;
  private readonly cache: StateCache | null;
  /** Codes of the registered sensors a real device reported since trackDevices(); null when not tracked. */
  private devices: Set<string> | null = null;

  constructor(
    private readonly deps: PipelineDeps,
    private readonly opts: PipelineOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    const writers = Math.max(1, Math.floor(opts.writers ?? 1));
    this.lanes = Array.from({ length: writers }, () => ({
      queue: [],
      timer: null,
      writing: null,
      retrying: false,
    }));
    this.highWater = opts.highWater ?? opts.batchMax * 4 * writers;
    this.cache = opts.cacheStates === false ? null : new StateCache();
  }

  private get queued(): number {
    let n = 0;
    for (const l of this.lanes) n += l.queue.length;
    return n;
  }

  /** Counters since start (a copy). */
  stats(): IngestStats {
    return {
      ...this.counters,
      byReason: { ...this.counters.byReason },
      queued: this.queued,
      retrying: this.lanes.some((l) => l.retrying),
      cachedStates: this.cache?.size ?? 0,
    };
  }

  /**
   * From now on remembers which registered sensors real devices report (any reading not marked
   * `simulated`), for the demo simulator to leave alone; returns that live set. Not tracked unless asked:
   * a node without the simulator keeps no such set.
   */
  trackDevices(): ReadonlySet<string> {
    return (this.devices ??= new Set());
  }

  /** True while the writers cannot keep up or the database fails: callers should hold back. */
  get saturated(): boolean {
    return this.lanes.some((l) => l.retrying) || this.queued >= this.highWater;
  }

  /**
   * Checks the items against the registry and queues them; resolves once their batch is stored, with one
   * result per item in order. Waits first while the pipeline is saturated (backpressure).
   */
  async submit(items: readonly IngestItem[]): Promise<ItemResult[]> {
    if (this.closed) throw new Error('ingest pipeline is closed');
    while (this.saturated) await new Promise<void>((r) => this.waiters.push(r));
    if (items.length === 0) return [];
    // Known codes straight from memory; the rest in one look-up (which also waits for the registry).
    const found = new Array<SensorInfo | undefined>(items.length);
    let unknown: Set<string> | null = null;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (!('reading' in it)) continue;
      const hit = this.deps.sensors.peek(it.reading.sensorCode);
      if (hit) found[i] = hit;
      else (unknown ??= new Set()).add(it.reading.sensorCode);
    }
    if (unknown) {
      const more = await this.deps.sensors.resolve(unknown);
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (!found[i] && 'reading' in it) found[i] = more.get(it.reading.sensorCode);
      }
    }
    if (this.devices) {
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (found[i] && !it.envelope.simulated) this.devices.add(found[i]!.code);
      }
    }
    const now = this.now();
    let ticket!: Ticket;
    const done = new Promise<ItemResult[]>((resolve) => {
      ticket = { results: new Array<ItemResult>(items.length), left: items.length, resolve };
    });
    const touched = new Set<Lane>();
    for (let i = 0; i < items.length; i++) {
      const entry = this.check(items[i], found[i], now, ticket, i);
      const lane = this.lanes[entry.sensor ? entry.sensor.id % this.lanes.length : 0];
      lane.queue.push(entry);
      touched.add(lane);
    }
    for (const lane of touched) this.schedule(lane);
    return done;
  }

  /**
   * Fills the state cache from the database (at start: the first batches then find their sensors' states
   * in memory); `each` visits every state row (IngestRepository.eachState). Entries batches wrote
   * meanwhile are newer and kept. Returns how many states it read; 0 without a cache.
   */
  async warmStates(each: (visit: StateVisitor) => Promise<number>): Promise<number> {
    if (!this.cache) return 0;
    return each(this.cache.warm);
  }

  /** Writes what is queued and stops taking more; resolves when everything queued is stored. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.lanes.map(async (lane) => {
        if (lane.timer) clearTimeout(lane.timer);
        lane.timer = null;
        while (lane.queue.length > 0 || lane.writing) {
          if (!lane.writing) lane.writing = this.drain(lane);
          await lane.writing;
        }
      }),
    );
  }

  /** Turns an item into a queued entry, refusing it here when its sensor or values are wrong. */
  private check(
    item: IngestItem,
    sensor: SensorInfo | undefined,
    now: Date,
    ticket: Ticket,
    index: number,
  ): Pending {
    const entry: Pending = { item, sensor: null, values: null, ticket, index };
    if (!('reading' in item)) return entry;
    const r = item.reading;
    let rejection: Rejection | null = sensor
      ? (checkFamily(r, sensor) ?? this.tooFarAhead(r, now))
      : { reason: 'unknown_sensor', detail: `no sensor "${r.sensorCode}" is registered` };
    if (sensor && !rejection) {
      const values = validateValues(sensor.family, r.values, r.sensorCode);
      if (isRejection(values)) rejection = values;
      else {
        entry.sensor = sensor;
        entry.values = values as unknown as Record<string, unknown>;
      }
    }
    if (rejection) {
      entry.item = { rejection: { ...rejection, sensorCode: r.sensorCode }, envelope: item.envelope };
    }
    return entry;
  }

  private tooFarAhead(r: DeviceReading, now: Date): Rejection | null {
    const ahead = r.ts.getTime() - now.getTime();
    if (ahead <= this.opts.maxFutureSkewMs) return null;
    return {
      reason: 'future_timestamp',
      detail: `ts ${r.ts.toISOString()} is ${Math.round(ahead / 1000)} s ahead of server time`,
    };
  }

  private schedule(lane: Lane): void {
    if (lane.writing) return; // the writer picks the queue up when it finishes
    if (lane.queue.length >= this.opts.batchMax) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = null;
      lane.writing = this.drain(lane);
      return;
    }
    if (!lane.timer && lane.queue.length > 0) {
      lane.timer = setTimeout(() => {
        lane.timer = null;
        if (!lane.writing && lane.queue.length > 0) lane.writing = this.drain(lane);
      }, this.opts.batchMs);
    }
  }

  /** Writes batches until the queue is empty (or only a partial batch is left and we are not closing). */
  private async drain(lane: Lane): Promise<void> {
    try {
      for (;;) {
        const batch = lane.queue.splice(0, this.opts.batchMax);
        if (batch.length === 0) break;
        await this.writeWithRetry(lane, batch);
        this.wake();
        if (!this.closed && lane.queue.length < this.opts.batchMax) break;
      }
    } finally {
      lane.writing = null;
      this.wake();
      if (lane.queue.length > 0) this.schedule(lane);
    }
  }

  private wake(): void {
    if (this.saturated) return;
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  private async writeWithRetry(lane: Lane, batch: Pending[]): Promise<void> {
    let delay = this.opts.backoffMs ?? 100;
    const maxDelay = this.opts.maxBackoffMs ?? 5000;
    for (let attempt = 1; ; attempt++) {
      const t0 = Date.now();
      try {
        await withTimeout(this.write(batch), this.opts.writeTimeoutMs ?? 30_000);
        lane.retrying = false;
        this.counters.batches++;
        this.counters.lastBatchMs = Date.now() - t0;
        this.counters.lastBatchSize = batch.length;
        for (const p of batch) {
          this.count(p.result!);
          const t = p.ticket as Ticket;
          t.results[p.index] = p.result!;
          if (--t.left === 0) t.resolve(t.results);
        }
        if (attempt > 1)
          this.deps.log.info('ingest: database back, batch stored', { attempt, size: batch.length });
        return;
      } catch (err) {
        this.counters.failedWrites++;
        lane.retrying = true;
        this.deps.log.warn('ingest: batch write failed, retrying', {
          attempt,
          size: batch.length,
          retryInMs: delay,
          error: (err as Error).message,
        });
        await sleep(delay);
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }

  private count(r: ItemResult): void {
    if (r.status === 'accepted') this.counters.accepted++;
    else if (r.status === 'duplicate') this.counters.duplicates++;
    else {
      this.counters.rejected++;
      this.counters.byReason[r.reason] = (this.counters.byReason[r.reason] ?? 0) + 1;
    }
  }

  /** Writes one batch (see batch-write.ts) and adds what it met to the counters. */
  private async write(batch: Pending[]): Promise<void> {
    const report = await writeBatch(this.deps, this.cache, batch, this.now());
    this.counters.cacheHits += report.cacheHits;
    this.counters.conflicts += report.conflicts;
    if (report.conflicts > 0) {
      this.deps.log.debug('ingest: sensors changed by another writer, re-read locked', {
        sensors: report.conflicts,
      });
    }
  }
}
