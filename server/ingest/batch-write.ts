// One ingest batch in one transaction: the sensors' current states (from the state cache, else read
// without locks), the rules, then every state row and history row in one statement that writes a state
// row only if its version is still the one the rules ran on (compare-and-set). Sensors another writer
// changed meanwhile (another node, the heartbeat check) or that have no state row yet are read again with
// their rows locked, evaluated again and written in a second statement of the same transaction, so a
// conflict costs those sensors a second look rather than the whole batch a rollback. Alarms are planned
// last, from the open alarms as they were when each sensor's state was read, and dead letters go with
// the batch.
import type { DeadLettersRepository, DeadLetterInput } from '../db/repositories/dead-letters.repository';
import type {
  CurrentState,
  IngestRepository,
  OpenAlarmRow,
  ReadingWrite,
} from '../db/repositories/ingest.repository';
import type {
  DeadLetterReason,
  DeviceReading,
  Rejection,
  RuleMemory,
  RuleOutcome,
  SensorInfo,
} from '../domain/ingest-contract';
import { evaluate, idleMemory, type Rule } from '../domain/rules';
import { AlarmBook } from './alarm-book';
import type { StateCache } from './state-cache';

/** Where a message came from, for dead letters. */
export interface IngestEnvelope {
  /** "mqtt" or "http". */
  channel: 'mqtt' | 'http';
  /** MQTT topic or HTTP gateway code. */
  source: string | null;
  /**
   * The raw message, kept (cut) with a dead letter; null when not worth keeping. Bytes are decoded only
   * when the message does become a dead letter.
   */
  payload: string | Uint8Array | null;
}

/** One message handed to the pipeline: a parsed reading, or a refusal from parsing. */
export type IngestItem =
  { reading: DeviceReading; envelope: IngestEnvelope } | { rejection: Rejection; envelope: IngestEnvelope };

/** What became of one item, known once its batch is stored. */
export type ItemResult =
  | { status: 'accepted' }
  | { status: 'duplicate' }
  | { status: 'rejected'; reason: DeadLetterReason; detail: string };

/** One queued item with what the pipeline found out about it. */
export interface Pending {
  item: IngestItem;
  sensor: SensorInfo | null;
  /** Values after validation (unknown extra fields dropped). */
  values: Record<string, unknown> | null;
  result?: ItemResult;
  /** The rules' verdicts on this reading, once it was evaluated and accepted. */
  outcomes?: readonly RuleOutcome[];
  /** The submit() call it belongs to (opaque here). */
  ticket: unknown;
  /** Position in the ticket's results. */
  index: number;
}

/** The repository calls one batch makes. */
export type BatchRepository = Pick<
  IngestRepository,
  | 'transaction'
  | 'currentStates'
  | 'lockStates'
  | 'openAlarms'
  | 'writeReadings'
  | 'insertAlarms'
  | 'updateAlarms'
>;

/** What a committed batch reports back to the pipeline's counters. */
export interface BatchReport {
  /** Sensors whose state came from the cache. */
  cacheHits: number;
  /** Sensors read again locked because another writer had changed their row (or it did not exist). */
  conflicts: number;
}

/** One sensor's readings of the batch, evaluated against one state. */
interface SensorPlan {
  entries: Pending[];
  rows: ReadingWrite[];
  /** The sensor's newest reading of the batch: becomes the state row (and the cache entry). */
  latest: ReadingWrite | null;
}

const DEAD_LETTER_BYTES = 4096;
const utf8 = new TextDecoder('utf-8');
const payloadText = (p: string | Uint8Array | null) =>
  p === null || typeof p === 'string' ? p : utf8.decode(p.subarray(0, DEAD_LETTER_BYTES));

// Results are only read: one object each for the two common ones.
const ACCEPTED: ItemResult = Object.freeze({ status: 'accepted' });
const DUPLICATE: ItemResult = Object.freeze({ status: 'duplicate' });

export const readingOf = (p: Pending) => (p.item as { reading: DeviceReading }).reading;

const byTs = (a: Pending, b: Pending) => readingOf(a).ts.getTime() - readingOf(b).ts.getTime();

/**
 * Runs a sensor's readings of the batch through its rules, oldest first, starting from `cur`; readings
 * not newer than the last stored one are duplicates. Sets each entry's result.
 */
function plan(sensorId: number, entries: Pending[], cur: CurrentState, now: Date): SensorPlan {
  if (entries.length > 1) entries.sort(byTs);
  let last = cur.reportedAt ? cur.reportedAt.getTime() : -Infinity;
  let memory: RuleMemory = cur.ruleState ?? {};
  const rows: ReadingWrite[] = [];
  let latest: ReadingWrite | null = null;
  for (const p of entries) {
    const r = readingOf(p);
    const t = r.ts.getTime();
    if (t <= last) {
      p.result = DUPLICATE;
      p.outcomes = undefined;
      continue;
    }
    const ev = evaluate(p.sensor!.rules as readonly Rule[], memory, p.values!, r.ts, now);
    memory = ev.memory;
    last = t;
    latest = { sensorId, ts: r.ts, reading: JSON.stringify(p.values), state: ev.state, latest: null };
    rows.push(latest);
    p.outcomes = ev.outcomes;
    p.result = ACCEPTED;
  }
  if (latest) latest.latest = { ruleState: idleMemory(memory) ? null : memory, version: cur.version };
  return { entries, rows, latest };
}

/** Marks the readings of a sensor removed since the registry was loaded as unknown-sensor refusals. */
function refuseRemoved(entries: readonly Pending[]): void {
  for (const p of entries) {
    const r = readingOf(p);
    p.sensor = null;
    p.outcomes = undefined;
    p.item = {
      rejection: {
        reason: 'unknown_sensor',
        detail: `sensor "${r.sensorCode}" was removed`,
        sensorCode: r.sensorCode,
      },
      envelope: p.item.envelope,
    };
  }
}

const collectRows = (plans: Iterable<SensorPlan>) => {
  const rows: ReadingWrite[] = [];
  for (const pl of plans) for (const r of pl.rows) rows.push(r);
  return rows;
};

/**
 * Writes one batch in one transaction (see the module comment); on commit, the state cache learns every
 * state row written. Resolves with what the batch met; throws when the database does (nothing is kept).
 */
export async function writeBatch(
  deps: { ingest: BatchRepository; deadLetters: Pick<DeadLettersRepository, 'insertMany'> },
  cache: StateCache | null,
  batch: Pending[],
  now: Date,
): Promise<BatchReport> {
  const { ingest, deadLetters } = deps;
  const report: BatchReport = { cacheHits: 0, conflicts: 0 };
  const plans = new Map<number, SensorPlan>();
  let version: string | null = null;
  await ingest.transaction(async (tx) => {
    plans.clear();
    report.cacheHits = 0;
    report.conflicts = 0;
    const bySensor = new Map<number, Pending[]>();
    for (const p of batch) {
      p.result = undefined;
      p.outcomes = undefined;
      if (p.sensor) {
        const list = bySensor.get(p.sensor.id);
        if (list) list.push(p);
        else bySensor.set(p.sensor.id, [p]);
      }
    }
    const ids = [...bySensor.keys()];
    const current = new Map<number, CurrentState>();
    const misses: number[] = [];
    for (const id of ids) {
      const c = cache?.get(id);
      if (c) current.set(id, c);
      else misses.push(id);
    }
    report.cacheHits = ids.length - misses.length;
    const [read, alarms] = await Promise.all([ingest.currentStates(misses, tx), ingest.openAlarms(ids, tx)]);
    for (const s of read) current.set(s.sensorId, s);

    // Optimistic round: every sensor with a known state row.
    const again: number[] = [];
    for (const [id, entries] of bySensor) {
      const cur = current.get(id);
      if (cur) plans.set(id, plan(id, entries, cur, now));
      else again.push(id); // no state row yet (or removed): the locked round creates it or refuses
    }
    const first = await ingest.writeReadings(collectRows(plans.values()), tx);
    version = first.version;
    let openAlarms: readonly OpenAlarmRow[] = alarms;

    if (first.stale.length > 0 || again.length > 0) {
      // Locked round: re-read the changed rows (locked, so nobody changes them again before commit) and
      // their alarms as they are now, evaluate once more and write.
      for (const id of first.stale) {
        cache?.forget(id);
        again.push(id);
      }
      report.conflicts = again.length;
      const locked = await ingest.lockStates(again, tx);
      const fresh = await ingest.openAlarms(again, tx);
      const retried = new Set(again);
      openAlarms = alarms.filter((a) => !retried.has(a.sensorId)).concat(fresh);
      const lockedById = new Map(locked.map((s) => [s.sensorId, s]));
      const second = new Map<number, SensorPlan>();
      for (const id of again) {
        plans.delete(id);
        const cur = lockedById.get(id);
        const entries = bySensor.get(id)!;
        if (cur) second.set(id, plan(id, entries, cur, now));
        else refuseRemoved(entries);
      }
      const out = await ingest.writeReadings(collectRows(second.values()), tx);
      if (out.stale.length > 0) {
        throw new Error(`state rows of ${out.stale.length} locked sensor(s) changed during the batch`);
      }
      version = out.version ?? version;
      for (const [id, pl] of second) plans.set(id, pl);
    }

    const book = new AlarmBook(openAlarms);
    for (const [id, pl] of plans) {
      for (const p of pl.entries) {
        if (p.outcomes) book.apply(id, p.outcomes, readingOf(p).ts, p.values!);
      }
    }
    const letters: DeadLetterInput[] = [];
    for (const p of batch) {
      if ('rejection' in p.item) {
        const { rejection, envelope } = p.item;
        letters.push({
          channel: envelope.channel,
          source: envelope.source,
          reason: rejection.reason,
          detail: rejection.detail,
          sensorCode: rejection.sensorCode ?? null,
          payload: payloadText(envelope.payload),
        });
        p.result = { status: 'rejected', reason: rejection.reason, detail: rejection.detail };
      }
    }
    await deadLetters.insertMany(letters, tx);
    const { inserts, updates } = book.changes();
    await ingest.insertAlarms(inserts, tx);
    await ingest.updateAlarms(updates, tx);
  });
  if (cache && version !== null) {
    for (const [id, pl] of plans) {
      const l = pl.latest;
      if (l)
        cache.set({
          sensorId: id,
          state: l.state,
          reportedAt: l.ts,
          ruleState: l.latest!.ruleState,
          version,
        });
    }
  }
  return report;
}
