// The browser's copy of the sensor layer and the pure rules that keep it current: built from a decoded
// snapshot, patched in place by decoded deltas. Typed arrays throughout; no Svelte, no I/O.
import { SENSOR_STATES, type SensorStateName } from './contract';
import type { SensorChanges, SensorTable } from './codec';

/** Number of sensors per state. */
export type StateCounts = Record<SensorStateName, number>;

/** A snapshot plus what is needed to patch it quickly. */
export interface LiveSensorTable extends SensorTable {
  /** Sensor id → row index into the parallel arrays. */
  indexById: Map<number, number>;
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

export function buildIndex(ids: Int32Array): Map<number, number> {
  const index = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) index.set(ids[i], i);
  return index;
}

/** Wraps a decoded snapshot (taking ownership of its arrays). */
export function fromSnapshot(table: SensorTable): LiveSensorTable {
  return { ...table, indexById: buildIndex(table.ids), counts: countStates(table.states) };
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
