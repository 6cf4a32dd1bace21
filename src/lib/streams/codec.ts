// Encodes and decodes the binary sensor frames of the contract. Pure, used by server and browser.
import {
  SENSOR_WIRE_VERSION,
  type Bytes,
  type SensorCatchupFrame,
  type SensorDeltaFrame,
  type SensorSnapshotFrame,
} from './contract';

/** A decoded snapshot: typed arrays ready for the map. */
export interface SensorTable {
  seq: number;
  count: number;
  origin: [number, number];
  ids: Int32Array;
  offsets: Float32Array;
  familyIndex: Uint8Array;
  states: Uint8Array;
  families: string[];
}

export interface SensorChanges {
  fromSeq: number;
  seq: number;
  ids: Int32Array;
  states: Uint8Array;
}

function asBytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Copies into a fresh, aligned buffer (Node's pooled Buffers may start at any offset). */
function aligned(b: Bytes): ArrayBuffer {
  if (b instanceof ArrayBuffer) return b;
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return copy.buffer;
}

export function encodeSnapshot(t: SensorTable): SensorSnapshotFrame {
  return {
    v: SENSOR_WIRE_VERSION,
    seq: t.seq,
    count: t.count,
    origin: t.origin,
    ids: asBytes(t.ids),
    offsets: asBytes(t.offsets),
    familyIndex: asBytes(t.familyIndex),
    states: asBytes(t.states),
    families: t.families,
  };
}

export function decodeSnapshot(f: SensorSnapshotFrame): SensorTable {
  if (f.v !== SENSOR_WIRE_VERSION) throw new Error(`unsupported snapshot version ${f.v}`);
  const t: SensorTable = {
    seq: f.seq,
    count: f.count,
    origin: f.origin,
    ids: new Int32Array(aligned(f.ids)),
    offsets: new Float32Array(aligned(f.offsets)),
    familyIndex: new Uint8Array(aligned(f.familyIndex)),
    states: new Uint8Array(aligned(f.states)),
    families: f.families,
  };
  if (
    t.ids.length !== f.count ||
    t.offsets.length !== 2 * f.count ||
    t.familyIndex.length !== f.count ||
    t.states.length !== f.count
  ) {
    throw new Error('snapshot arrays do not match its count');
  }
  return t;
}

/** Sensors per state over all families, from counts per family (family f's state s at f * 4 + s). */
export function stateTotals(familyCounts: readonly number[]): [number, number, number, number] {
  const totals: [number, number, number, number] = [0, 0, 0, 0];
  for (let k = 0; k < familyCounts.length; k++) totals[k % 4] += familyCounts[k];
  return totals;
}

/**
 * A delta frame; `familyCounts` (city-wide, per family) go to clients scoped to a viewport, with their
 * totals per state.
 */
export function encodeDelta(c: SensorChanges, familyCounts?: readonly number[]): SensorDeltaFrame {
  const frame: SensorDeltaFrame = {
    v: SENSOR_WIRE_VERSION,
    fromSeq: c.fromSeq,
    seq: c.seq,
    ids: asBytes(c.ids),
    states: asBytes(c.states),
  };
  if (familyCounts) {
    frame.counts = stateTotals(familyCounts);
    frame.familyCounts = [...familyCounts];
  }
  return frame;
}

export function encodeCatchup(ids: Int32Array, states: Uint8Array): SensorCatchupFrame {
  return { v: SENSOR_WIRE_VERSION, ids: asBytes(ids), states: asBytes(states) };
}

export function decodeCatchup(f: SensorCatchupFrame): { ids: Int32Array; states: Uint8Array } {
  if (f.v !== SENSOR_WIRE_VERSION) throw new Error(`unsupported catch-up version ${f.v}`);
  const c = { ids: new Int32Array(aligned(f.ids)), states: new Uint8Array(aligned(f.states)) };
  if (c.ids.length !== c.states.length) throw new Error('catch-up ids and states differ in length');
  return c;
}

export function decodeDelta(f: SensorDeltaFrame): SensorChanges {
  if (f.v !== SENSOR_WIRE_VERSION) throw new Error(`unsupported delta version ${f.v}`);
  const c = {
    fromSeq: f.fromSeq,
    seq: f.seq,
    ids: new Int32Array(aligned(f.ids)),
    states: new Uint8Array(aligned(f.states)),
  };
  if (c.ids.length !== c.states.length) throw new Error('delta ids and states differ in length');
  return c;
}
