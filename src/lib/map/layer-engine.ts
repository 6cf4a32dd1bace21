// What the sensor layers draw, worked out off the main thread: the layer worker (layer-worker.ts) holds a
// copy of the live table and a SensorView, and answers each change of table, states or view with the
// attribute arrays that changed — fresh copies, transferred, so the main thread neither scans 500,000
// rows nor copies a buffer. The main thread (layer-host.ts) keeps its own table for the legend, picking
// and the side panel, and hands deck.gl what arrives. Pure: no DOM, no Worker; tested directly.
import { countStates } from '$lib/streams/sensor-table';
import { SHOW_ALL, type DrawnTable, type SensorFilter } from './sensor-data';
import { SensorView, type MapView, type SensorLayerData } from './sensor-view';

/** The table's columns the layers need (the ids stay on the main thread, which picks). */
export interface LayerTableColumns {
  origin: [number, number];
  offsets: Float32Array;
  familyIndex: Uint8Array;
  states: Uint8Array;
  families: string[];
}

/** Main thread → engine. `req` numbers every request, so the host knows when its last one is answered. */
export type LayerRequest =
  | { type: 'table'; req: number; gen: number; version: number; columns: LayerTableColumns }
  | { type: 'states'; req: number; gen: number; version: number; states: Uint8Array }
  | { type: 'view'; req: number; filter: SensorFilter; view: MapView }
  | { type: 'cellAt'; req: number; lon: number; lat: number; filter: SensorFilter };

/** Arrays of one layer; an absent key means "the array you got last for this slot". */
export interface SlotArrays {
  length: number;
  position?: Float32Array;
  color?: Uint8Array;
  radius?: Float32Array;
}

/** Engine → main thread. */
export type LayerReply =
  | {
      type: 'layers';
      /** Every request up to this one is reflected. */
      upTo: number;
      gen: number;
      version: number;
      mode: 'cells' | 'points';
      cells: (SlotArrays & { cellSizeM: number }) | null;
      normal: SlotArrays | null;
      abnormal: SlotArrays;
      normalRows?: Uint32Array;
      abnormalRows?: Uint32Array;
      /** Engine time for this answer (ms). */
      ms: number;
    }
  /** Nothing drawn changed (or there is nothing to draw yet); every request up to `upTo` is reflected. */
  | { type: 'same'; upTo: number }
  | { type: 'cellAt'; req: number; shown: number };

/** Typed arrays of a reply, for the transfer list. */
export function replyBuffers(reply: LayerReply): ArrayBuffer[] {
  if (reply.type !== 'layers') return [];
  const out: ArrayBuffer[] = [];
  const add = (a: ArrayBufferView | undefined) => {
    if (a) out.push(a.buffer as ArrayBuffer);
  };
  for (const slot of [reply.cells, reply.normal, reply.abnormal]) {
    if (!slot) continue;
    add(slot.position);
    add(slot.color);
    add(slot.radius);
  }
  add(reply.normalRows);
  add(reply.abnormalRows);
  return out;
}

export class LayerEngine {
  readonly #view: SensorView;
  #table: DrawnTable | null = null;
  #gen = -1;
  #version = -1;
  #filter: SensorFilter = SHOW_ALL;
  #mapView: MapView | null = null;
  #lastReq = 0;
  #drawn: SensorLayerData | null = null;
  /** Per slot (e.g. "cells.color"), the descriptor or array whose copy the main thread has now. */
  readonly #sent = new Map<string, object>();

  constructor(options: { pointBudget?: number } = {}) {
    this.#view = new SensorView(options);
  }

  /**
   * Takes a request in. Table, states and view requests only record what changed (answer with
   * `compute`, once per burst); a cell query is answered at once.
   */
  receive(msg: LayerRequest): LayerReply | null {
    if (msg.type === 'cellAt') {
      const shown = this.#table ? this.#view.shownInCellAt(msg.lon, msg.lat, msg.filter) : 0;
      return { type: 'cellAt', req: msg.req, shown };
    }
    this.#lastReq = Math.max(this.#lastReq, msg.req);
    if (msg.type === 'table') {
      const c = msg.columns;
      this.#table = {
        ids: new Int32Array(0),
        origin: c.origin,
        offsets: c.offsets,
        familyIndex: c.familyIndex,
        states: c.states,
        families: c.families,
        counts: countStates(c.states),
      };
      this.#gen = msg.gen;
      this.#version = msg.version;
      this.#drawn = null;
      this.#sent.clear(); // the main thread starts the new table with no arrays
    } else if (msg.type === 'states') {
      const table = this.#table;
      // States of a table replaced since: the table request that follows brings the right ones.
      if (!table || msg.gen !== this.#gen || msg.states.length !== table.states.length) return null;
      table.states.set(msg.states);
      table.counts = countStates(table.states);
      this.#version = msg.version;
    } else {
      this.#filter = msg.filter;
      this.#mapView = msg.view;
    }
    return null;
  }

  /** What changed in the drawing since the last answer, with copies of every new array. */
  compute(): LayerReply {
    const t0 = performance.now();
    const upTo = this.#lastReq;
    const table = this.#table;
    if (!table || !this.#mapView) return { type: 'same', upTo };
    const data = this.#view.update(table, this.#version, this.#filter, this.#mapView);
    if (data === this.#drawn) return { type: 'same', upTo };
    this.#drawn = data;
    const cells = data.cells
      ? { ...this.#slot('cells', data.cells.length, data.cells.attributes), cellSizeM: data.cells.cellSizeM }
      : null;
    return {
      type: 'layers',
      upTo,
      gen: this.#gen,
      version: data.version,
      mode: data.mode,
      cells,
      normal: data.normal ? this.#slot('normal', data.normal.length, data.normal.attributes) : null,
      abnormal: this.#slot('abnormal', data.abnormal.length, data.abnormal.attributes),
      normalRows: this.#fresh('normalRows', data.normalRows),
      abnormalRows: this.#fresh('abnormalRows', data.abnormalRows),
      ms: performance.now() - t0,
    };
  }

  #slot(
    name: string,
    length: number,
    a: {
      getPosition: { value: Float32Array };
      getFillColor?: { value: Uint8Array };
      getRadius?: { value: Float32Array };
    },
  ): SlotArrays {
    return {
      length,
      position: this.#fresh(`${name}.position`, a.getPosition),
      color: this.#fresh(`${name}.color`, a.getFillColor),
      radius: this.#fresh(`${name}.radius`, a.getRadius),
    };
  }

  /**
   * A copy of the descriptor's (or array's) values unless the main thread's copy for this slot is of the
   * same one. The view hands out a new descriptor whenever values changed (it recolours cells in place),
   * so the descriptor, not the array, says what is new; the copy is what gets transferred, the view keeps
   * its own.
   */
  #fresh<T extends Float32Array | Uint8Array | Uint32Array>(
    slot: string,
    d: { value: T } | T | undefined,
  ): T | undefined {
    if (!d || this.#sent.get(slot) === d) return undefined;
    this.#sent.set(slot, d);
    const value = ArrayBuffer.isView(d) ? d : d.value;
    return value.slice() as T;
  }
}
