// What ingest last stored for each sensor (state, device time, rule memory, row version), kept between
// batches so a batch does not read its sensors' state rows back from the database: at 500,000 sensors
// that read is a random index probe per reading, as costly as the write itself. The cache is only a
// guess: the batch write still compares each row's version (xmin) and a sensor whose row another writer
// changed meanwhile (another node, the heartbeat check, a removed sensor) is re-read, locked, and its
// entry replaced. Typed arrays indexed by sensor id keep 500,000 entries in ~10 MB; rule memory (null for
// most sensors, see idleMemory) is kept in a map of its own.
import type { CurrentState, StateVisitor } from '../db/repositories/ingest.repository';
import type { RuleMemory } from '../domain/ingest-contract';
import { idleMemory } from '../domain/rules';

/** Sensor ids at or beyond this are not cached (they are read from the database every batch). */
const MAX_ID = 1 << 24;

const NONE = 0; // not cached
const NO_MEMORY = 1; // cached, rule memory null or idle
const KEPT_MEMORY = 2; // cached, memory in `memories`

export class StateCache {
  private kind = new Uint8Array(0);
  private state = new Uint8Array(0);
  private reportedMs = new Float64Array(0);
  private version = new Uint32Array(0);
  private readonly memories = new Map<number, RuleMemory>();
  private count = 0;

  /** Sensors held. */
  get size(): number {
    return this.count;
  }

  /** The cached state of a sensor, or undefined. */
  get(sensorId: number): CurrentState | undefined {
    const k = sensorId < this.kind.length ? this.kind[sensorId] : NONE;
    if (k === NONE) return undefined;
    const ms = this.reportedMs[sensorId];
    return {
      sensorId,
      state: this.state[sensorId],
      reportedAt: Number.isNaN(ms) ? null : new Date(ms),
      ruleState: k === NO_MEMORY ? null : (this.memories.get(sensorId) ?? null),
      version: String(this.version[sensorId]),
    };
  }

  /** Remembers what was just read or written; `onlyIfAbsent` leaves a newer entry alone (warm-up). */
  set(s: CurrentState, onlyIfAbsent = false): void {
    const ms = s.reportedAt ? s.reportedAt.getTime() : NaN;
    this.put(s.sensorId, s.state, ms, Number(s.version), s.ruleState, onlyIfAbsent);
  }

  /** Takes a state row read at start (see eachState); an entry already held is newer and kept. */
  readonly warm: StateVisitor = (id, state, reportedMs, version, memory) =>
    this.put(id, state, reportedMs, version, memory, true);

  private put(
    id: number,
    state: number,
    reportedMs: number,
    version: number,
    memory: RuleMemory | null,
    onlyIfAbsent: boolean,
  ): void {
    if (!Number.isInteger(id) || id < 0 || id >= MAX_ID) return;
    if (!Number.isInteger(version) || version < 0 || version > 0xffffffff) {
      this.forget(id);
      return;
    }
    if (id >= this.kind.length) this.grow(id);
    if (this.kind[id] !== NONE && onlyIfAbsent) return;
    if (this.kind[id] === NONE) this.count++;
    this.state[id] = state;
    this.reportedMs[id] = reportedMs;
    this.version[id] = version;
    if (idleMemory(memory)) {
      this.kind[id] = NO_MEMORY;
      this.memories.delete(id);
    } else {
      this.kind[id] = KEPT_MEMORY;
      this.memories.set(id, memory!);
    }
  }

  /** Drops a sensor's entry (its row changed under us, or it is gone). */
  forget(sensorId: number): void {
    if (sensorId >= this.kind.length || this.kind[sensorId] === NONE) return;
    this.kind[sensorId] = NONE;
    this.memories.delete(sensorId);
    this.count--;
  }

  /** Drops everything. */
  clear(): void {
    this.kind.fill(NONE);
    this.memories.clear();
    this.count = 0;
  }

  private grow(id: number): void {
    let n = Math.max(1024, this.kind.length);
    while (n <= id) n *= 2;
    n = Math.min(n, MAX_ID);
    const kind = new Uint8Array(n);
    kind.set(this.kind);
    const state = new Uint8Array(n);
    state.set(this.state);
    const reportedMs = new Float64Array(n);
    reportedMs.set(this.reportedMs);
    const version = new Uint32Array(n);
    version.set(this.version);
    this.kind = kind;
    this.state = state;
    this.reportedMs = reportedMs;
    this.version = version;
  }
}
