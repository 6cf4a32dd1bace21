// Turns the live sensor table into deck.gl binary data: the filter, the abnormal subset (always drawn one
// by one), the normal sensors inside a box (street zoom) and CPU picking. Pure; see sensor-view.ts for
// the cache that decides what to rebuild.
import type { LiveSensorTable, StateCounts } from '$lib/streams/sensor-table';
import { emptyCounts } from '$lib/streams/sensor-table';
import { SENSOR_STATES } from '$lib/streams/contract';
import { STATE_RGBA } from './colors';

/**
 * The columns of the live table that drawing reads: the main thread's LiveSensorTable, or the layer
 * worker's copy of it (which has no id index).
 */
export type DrawnTable = Pick<
  LiveSensorTable,
  'ids' | 'origin' | 'offsets' | 'states' | 'familyIndex' | 'families' | 'counts'
>;

/** deck.gl binary attribute descriptors; a new descriptor object makes deck re-upload that attribute. */
export interface PositionAttribute {
  value: Float32Array;
  size: 2;
}
export interface ColorAttribute {
  value: Uint8Array;
  size: 4;
  normalized: true;
}
export interface RadiusAttribute {
  value: Float32Array;
  size: 1;
}

/** Points for a ScatterplotLayer, positions as [dLon, dLat] from the table's origin. */
export interface BinaryPoints {
  length: number;
  attributes: { getPosition: PositionAttribute; getFillColor?: ColorAttribute; getRadius?: RadiusAttribute };
}

/** Which sensors the operator wants to see; the default shows everything. */
export interface SensorFilter {
  /** Family codes (e.g. "manhole") that are hidden. */
  hiddenFamilies: readonly string[];
  /** State codes (0..3) that are hidden. */
  hiddenStates: readonly number[];
}

export const SHOW_ALL: SensorFilter = { hiddenFamilies: [], hiddenStates: [] };

/** 1 per family index of `families` that the filter shows (256 entries: family indexes are bytes). */
export function familyMask(families: readonly string[], filter: SensorFilter): Uint8Array {
  const mask = new Uint8Array(256);
  families.forEach((code, i) => (mask[i] = filter.hiddenFamilies.includes(code) ? 0 : 1));
  return mask;
}

/** 1 per state code the filter shows (256 entries, so any byte indexes it safely). */
export function stateMask(filter: SensorFilter): Uint8Array {
  const mask = new Uint8Array(256);
  for (let s = 0; s < SENSOR_STATES.length; s++) mask[s] = filter.hiddenStates.includes(s) ? 0 : 1;
  return mask;
}

/** Sensors per state among the families the filter shows (the state filter is not applied). */
export function filteredCounts(table: DrawnTable, filter: SensorFilter): StateCounts {
  if (filter.hiddenFamilies.length === 0) return { ...table.counts };
  const families = familyMask(table.families, filter);
  const byCode = [0, 0, 0, 0];
  const { states, familyIndex } = table;
  for (let i = 0; i < states.length; i++) {
    if (families[familyIndex[i]] === 1 && states[i] < 4) byCode[states[i]]++;
  }
  const counts = emptyCounts();
  SENSOR_STATES.forEach((name, code) => (counts[name] = byCode[code]));
  return counts;
}

/**
 * The same from the server's per-family counts (family f's state s at f * 4 + s, in `families` order),
 * which a page whose deltas are scoped to its viewport gets while its own table misses changes out of view.
 */
export function filteredServerCounts(
  families: readonly string[],
  familyCounts: readonly number[],
  filter: SensorFilter,
): StateCounts {
  const counts = emptyCounts();
  families.forEach((family, f) => {
    if (filter.hiddenFamilies.includes(family)) return;
    SENSOR_STATES.forEach((name, code) => (counts[name] += familyCounts[f * 4 + code] ?? 0));
  });
  return counts;
}

/** Pixel radius of abnormal sensors by state code (normal ones are not in that layer). */
export const ABNORMAL_RADIUS = [0, 5, 6, 4];
/** Drawing order of abnormal states: offline below warning below alarm. */
const ABNORMAL_ORDER = [3, 1, 2];

/** Warning, alarm and offline sensors that pass the masks, alarms last so they are drawn on top. */
export function abnormalPoints(
  table: DrawnTable,
  families: Uint8Array,
  states: Uint8Array,
): { points: BinaryPoints; rows: Uint32Array } {
  const { offsets, familyIndex } = table;
  const stateOf = table.states;
  const total = table.counts.warning + table.counts.alarm + table.counts.offline;
  const rows = new Uint32Array(total);
  let n = 0;
  for (const code of ABNORMAL_ORDER) {
    if (states[code] !== 1) continue;
    for (let i = 0; i < stateOf.length && n < total; i++) {
      if (stateOf[i] === code && families[familyIndex[i]] === 1) rows[n++] = i;
    }
  }
  const positions = new Float32Array(2 * n);
  const colors = new Uint8Array(4 * n);
  const radii = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const row = rows[k];
    positions[2 * k] = offsets[2 * row];
    positions[2 * k + 1] = offsets[2 * row + 1];
    colors.set(STATE_RGBA[stateOf[row]], 4 * k);
    radii[k] = ABNORMAL_RADIUS[stateOf[row]];
  }
  return {
    rows: rows.subarray(0, n),
    points: {
      length: n,
      attributes: {
        getPosition: { value: positions, size: 2 },
        getFillColor: { value: colors, size: 4, normalized: true },
        getRadius: { value: radii, size: 1 },
      },
    },
  };
}

/** Positions of the given table rows (all normal sensors: their colour is a layer constant). */
export function rowPoints(table: DrawnTable, rows: Uint32Array): BinaryPoints {
  const positions = new Float32Array(2 * rows.length);
  const { offsets } = table;
  for (let k = 0; k < rows.length; k++) {
    positions[2 * k] = offsets[2 * rows[k]];
    positions[2 * k + 1] = offsets[2 * rows[k] + 1];
  }
  return { length: rows.length, attributes: { getPosition: { value: positions, size: 2 } } };
}

/** What the pick needs: the table and the rows drawn one by one. */
export interface PickTarget {
  table: DrawnTable;
  /** Abnormal rows drawn (larger, on top). */
  abnormalRows: Uint32Array;
  /** Normal rows drawn individually; empty at city zoom. */
  normalRows: Uint32Array;
}

/**
 * The drawn sensor nearest to a click, searched on the CPU (cheap, and no GPU picking pass on every mouse
 * move). `degPerPx` converts degrees to screen pixels around the click; abnormal sensors win within their
 * radius.
 */
export function pickSensor(
  data: PickTarget,
  lngLat: [number, number],
  degPerPx: [number, number],
  tolerancePx = 4,
): number | null {
  const { table } = data;
  const dx0 = lngLat[0] - table.origin[0];
  const dy0 = lngLat[1] - table.origin[1];
  const nearest = (rows: Uint32Array, maxPx: number): number | null => {
    let best: number | null = null;
    let bestD = maxPx * maxPx;
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      const dx = (table.offsets[2 * row] - dx0) / degPerPx[0];
      const dy = (table.offsets[2 * row + 1] - dy0) / degPerPx[1];
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = row;
      }
    }
    return best;
  };
  const row =
    nearest(data.abnormalRows, Math.max(...ABNORMAL_RADIUS) + tolerancePx) ??
    nearest(data.normalRows, 2 + tolerancePx);
  return row === null ? null : table.ids[row];
}
