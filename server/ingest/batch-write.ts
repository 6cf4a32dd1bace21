// One ingest batch in one transaction: the sensors' current states (from the state cache, else read
// without locks), the rules, then every state row and history row in one statement that writes a state
// row only if its version is still the one the rules ran on (compare-and-set). Sensors another writer
// changed meanwhile (another node, the heartbeat check) or that have no state row yet are read again with
// their rows locked, evaluated again and written in a second statement of the same transaction, so a
// conflict costs those sensors a second look rather than the whole batch a rollback. Alarms are planned
// last, from the open alarms as they were when each sensor's state was read, and dead letters go with
// the batch.
import {
  cutPayload,
  DEAD_LETTER_PAYLOAD_CHARS,
  type DeadLettersRepository,
  type DeadLetterInput,
} from '../db/repositories/dead-letters.repository';
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
   * The raw message, kept (cut) with a dead letter; null when not worth keeping. Bytes are decoded, and a
   * function (a gateway's item, which has no text of its own once the body is parsed) is called, only
   * when the message does become a dead letter: most never do.
   */
  payload: string | Uint8Array | (() => string) | null;
  /** The message's size as received, bytes, when `payload` holds only its first bytes (an oversize one). */
  receivedBytes?: number;
  /** True for the demo simulator's readings (it stands in for devices that do not report themselves). */
  simulated?: boolean;
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

const utf8 = new TextDecoder('utf-8');
/** A dead letter's payload: only its first bytes decoded, cut with a marker naming the size received. */
const payloadText = (p: IngestEnvelope['payload'], receivedBytes?: number) =>
  p === null
    ? null
    : typeof p === 'string'
      ? cutPayload(p)
      : typeof p === 'function'
        ? renderedPayload(p)
        : cutPayload(
            utf8.decode(p.subarray(0, DEAD_LETTER_PAYLOAD_CHARS)),
            receivedBytes ?? p.byteLength,
            'bytes',
          );

/**
 * A gateway item's text, rendered only now. JSON.stringify recurses: values nested a few thousand levels
 * deep (JSON.parse takes them) overflow the stack, and a throw here would fail the whole batch on every
 * retry. Such an item keeps a note instead of its text.
 */
function renderedPayload(render: () => string): string {
  try {
    return cutPayload(render());
  } catch (err) {
    return `[payload not kept: ${(err as Error).message}]`;
  }
}

// Results are only read: one object each for the two common ones.
const ACCEPTED: ItemResult = Object.freeze({ status: 'accepted' });
const DUPLICATE: ItemResult = Object.freeze({ status: 'duplicate' });

export const readingOf = (p: Pending) => (p.item as { reading: DeviceReading }).reading;

const byTs = (a: Pending, b: Pending) => readingOf(a).ts.getTime() - readingOf(b).ts.getTime();

/**
 * Runs a sensor's readings of the batch through its rules, oldest first, starting from `cur`, and adds
 * a row per accepted reading to `rows`; readings not newer than the last stored one are duplicates. The
 * sensor's newest row carries the state row's new content. Sets each entry's result.
 */
function plan(
  rows: ReadingWrite[],
  sensorId: number,
  entries: Pending[],
  cur: CurrentState,
  now: Date,
): void {
  if (entries.length > 1) entries.sort(byTs);
  let last = cur.reportedAt ? cur.reportedAt.getTime() : -Infinity;
  let memory: RuleMemory = cur.ruleState ?? {};
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
  /** Every row written, newest per sensor marked (what the cache learns on commit). */
  let written: ReadingWrite[] = [];
  let version: string | null = null;
  await ingest.transaction(async (tx) => {
    written = [];
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
    // In sensor id order: the order the rows are then written and locked in, so two nodes writing the
    // same sensors take turns instead of deadlocking (a numeric typed-array sort needs no comparator).
    const ids = Array.from(Int32Array.from(bySensor.keys()).sort());
    const known = new Array<CurrentState | undefined>(ids.length);
    const misses: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const c = cache?.get(ids[i]);
      if (c) known[i] = c;
      else misses.push(ids[i]);
    }
    report.cacheHits = ids.length - misses.length;
    const [read, alarms] = await Promise.all([ingest.currentStates(misses, tx), ingest.openAlarms(ids, tx)]);
    const readById = read.length > 0 ? new Map(read.map((s) => [s.sensorId, s])) : null;

    // Optimistic round: every sensor with a known state row.
    const rows: ReadingWrite[] = [];
    const again: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const cur = known[i] ?? readById?.get(ids[i]);
      if (cur) plan(rows, ids[i], bySensor.get(ids[i])!, cur, now);
      else again.push(ids[i]); // no state row yet (or removed): the locked round creates it or refuses
    }
    const first = await ingest.writeReadings(rows, tx);
    version = first.version;
    let openAlarms: readonly OpenAlarmRow[] = alarms;

    if (first.stale.length === 0) written = rows;
    else {
      const stale = new Set(first.stale);
      written = rows.filter((r) => !stale.has(r.sensorId));
      for (const id of first.stale) {
        cache?.forget(id);
        again.push(id);
      }
    }
    if (again.length > 0) {
      // Locked round: re-read the changed rows (locked, so nobody changes them again before commit) and
      // their alarms as they are now, evaluate once more and write.
      again.sort((x, y) => x - y);
      report.conflicts = again.length;
      const locked = await ingest.lockStates(again, tx);
      const fresh = await ingest.openAlarms(again, tx);
      const retried = new Set(again);
      openAlarms = alarms.filter((a) => !retried.has(a.sensorId)).concat(fresh);
      const lockedById = new Map(locked.map((s) => [s.sensorId, s]));
      const rows2: ReadingWrite[] = [];
      for (const id of again) {
        const cur = lockedById.get(id);
        const entries = bySensor.get(id)!;
        if (cur) plan(rows2, id, entries, cur, now);
        else refuseRemoved(entries);
      }
      const out = await ingest.writeReadings(rows2, tx);
      if (out.stale.length > 0) {
        throw new Error(`state rows of ${out.stale.length} locked sensor(s) changed during the batch`);
      }
      version = out.version ?? version;
      written = written.concat(rows2);
    }

    // Per sensor in the order its rules ran.
    const book = new AlarmBook(openAlarms);
    for (const [id, entries] of bySensor) {
      for (const p of entries) if (p.outcomes) book.apply(id, p.outcomes, readingOf(p).ts, p.values!);
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
          payload: payloadText(envelope.payload, envelope.receivedBytes),
        });
        p.result = { status: 'rejected', reason: rejection.reason, detail: rejection.detail };
      }
    }
    await deadLetters.insertMany(letters, tx);
    const { inserts, updates } = book.changes();
    // Updates first: an alarm cleared and its rule firing again in one batch (a flapping sensor) is a
    // cleared row plus a new open one, and the partial unique index allows the new row only after the clear.
    await ingest.updateAlarms(updates, tx);
    await ingest.insertAlarms(inserts, tx);
  });
  if (cache && version !== null) {
    for (const r of written) {
      if (r.latest) {
        cache.set({
          sensorId: r.sensorId,
          state: r.state,
          reportedAt: r.ts,
          ruleState: r.latest.ruleState,
          version,
        });
      }
    }
  }
  return report;
}
