// The browser's copy of the sensor layer and the pure rules that keep it current: built from a decoded
// snapshot, patched in place by decoded deltas. Typed arrays throughout; no Svelte, no I/O.
import { SENSOR_STATES, type SensorStateName } from './contract';
import type { SensorChanges, SensorTable } from './codec';

/** Number of sensors per state. */
export type StateCounts = Record<SensorStateName, number>;

/** Sensor id → row index into the parallel arrays (see RowIndex). */
export interface RowLookup {
  get(id: number): number | undefined;
}

/** A snapshot plus what is needed to patch it quickly. */
export interface LiveSensorTable extends SensorTable {
  /** Sensor id → row index into the parallel arrays. */
  indexById: RowLookup;
  /** Sensors per state, kept equal to a recount of `states`. */
  counts: StateCounts;
}

/** What applying one delta did. */
export interface ApplyResult {
  /** Rows whose state actually changed. */
  changed: number;
  /** Ids the table does not know (a sensor added after the snapshot): a fresh snapshot is needed. */
  unknownIds: number[];
  /** Entries with a state byte outside 0..3, skipped. */
  invalid: number;
}

export function emptyCounts(): StateCounts {
  return { normal: 0, warning: 0, alarm: 0, offline: 0 };
}

/** Counts every row of `states`; bytes outside the known states are not counted. */
export function countStates(states: Uint8Array): StateCounts {
  const byCode = [0, 0, 0, 0];
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    if (s < byCode.length) byCode[s]++;
  }
  const counts = emptyCounts();
  SENSOR_STATES.forEach((name, code) => (counts[name] = byCode[code]));
  return counts;
}

/**
 * Sensor ids are a database sequence, so they are nearly dense: a typed array indexed by `id - min` finds
 * a row in one read. A Map of 500,000 entries took ~80 ms to build on the main thread and ~30 MB; this
 * takes 4 bytes per id in the range. Ids spread much wider than the table (a range over 4 × the rows)
 * fall back to a binary search over a sorted copy.
 */
export class RowIndex implements RowLookup {
  readonly #min: number;
  /** Dense: row + 1 per id - min (0 = absent). Sparse: null. */
  readonly #dense: Int32Array | null;
  /** Sparse: ids ascending and their rows. */
  readonly #sortedIds: Int32Array | null;
  readonly #sortedRows: Uint32Array | null;

  constructor(ids: Int32Array) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < min) min = ids[i];
      if (ids[i] > max) max = ids[i];
    }
    this.#min = ids.length ? min : 0;
    const range = ids.length ? max - min + 1 : 0;
    if (range <= 4 * ids.length + 1024) {
      const dense = new Int32Array(range);
      for (let i = 0; i < ids.length; i++) dense[ids[i] - this.#min] = i + 1;
      this.#dense = dense;
      this.#sortedIds = this.#sortedRows = null;
    } else {
      const rows = Uint32Array.from(ids.keys()).sort((a, b) => ids[a] - ids[b]);
      this.#sortedRows = rows;
      this.#sortedIds = Int32Array.from(rows, (r) => ids[r]);
      this.#dense = null;
    }
  }

  get(id: number): number | undefined {
    if (this.#dense) {
      const row = this.#dense[id - this.#min];
      return row ? row - 1 : undefined; // outside the range reads undefined, also falsy
    }
    const sorted = this.#sortedIds!;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length && sorted[lo] === id ? this.#sortedRows![lo] : undefined;
  }
}

/** Wraps a decoded snapshot (taking ownership of its arrays). */
export function fromSnapshot(table: SensorTable): LiveSensorTable {
  return { ...table, indexById: new RowIndex(table.ids), counts: countStates(table.states) };
}

/**
 * Writes the delta's states into `table` (mutating its `states` and `counts`) and moves `table.seq` to the
 * delta's seq. The caller decides first, with decideDelta, whether the delta applies at all.
 */
export function applyChanges(table: LiveSensorTable, changes: SensorChanges): ApplyResult {
  const result: ApplyResult = { changed: 0, unknownIds: [], invalid: 0 };
  const { states, counts, indexById } = table;
  for (let k = 0; k < changes.ids.length; k++) {
    const id = changes.ids[k];
    const next = changes.states[k];
    const row = indexById.get(id);
    if (row === undefined) {
      result.unknownIds.push(id);
      continue;
    }
    if (next >= SENSOR_STATES.length) {
      result.invalid++;
      continue;
    }
    const previous = states[row];
    if (previous === next) continue;
    states[row] = next;
    if (previous < SENSOR_STATES.length) counts[SENSOR_STATES[previous]]--;
    counts[SENSOR_STATES[next]]++;
    result.changed++;
  }
  table.seq = Math.max(table.seq, changes.seq);
  return result;
}

/** State code of a sensor, or null when the table does not know it. */
export function stateOf(table: LiveSensorTable, sensorId: number): number | null {
  const row = table.indexById.get(sensorId);
  return row === undefined ? null : table.states[row];
}

/** [lon, lat] of a sensor (origin + float32 offset), or null when the table does not know it. */
export function positionOf(table: LiveSensorTable, sensorId: number): [number, number] | null {
  const row = table.indexById.get(sensorId);
  if (row === undefined) return null;
  return [table.origin[0] + table.offsets[2 * row], table.origin[1] + table.offsets[2 * row + 1]];
}
