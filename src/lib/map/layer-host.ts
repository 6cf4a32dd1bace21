// The main thread's side of the layer worker: sends it the table once, a copy of the states after each
// change and the view after each move, and turns its answers into the SensorLayerData the layers draw.
// A descriptor object is new only for an array that arrived, so deck.gl re-uploads only those.
import type { LiveSensorTable } from '$lib/streams/sensor-table';
import type { LayerReply, LayerRequest, SlotArrays } from './layer-engine';
import { LayerEngine, replyBuffers } from './layer-engine';
import type {
  BinaryPoints,
  ColorAttribute,
  PositionAttribute,
  RadiusAttribute,
  SensorFilter,
} from './sensor-data';
import type { CellPoints, MapView, SensorLayerData } from './sensor-view';

/** Where requests go and answers come from: the worker, or (tests) an engine on this thread. */
export interface LayerPort {
  post(msg: LayerRequest, transfer: Transferable[]): void;
  onReply(handler: (reply: LayerReply) => void): void;
  close(): void;
}

export function workerPort(): LayerPort {
  const worker = new Worker(new URL('./layer-worker.ts', import.meta.url), {
    type: 'module',
    name: 'citynerve-layers',
  });
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer),
    onReply: (handler) => (worker.onmessage = (e: MessageEvent<LayerReply>) => handler(e.data)),
    close: () => worker.terminate(),
  };
}

/** The same engine on this thread, answering on a later task (tests; a browser without workers). */
export function inlinePort(engine = new LayerEngine()): LayerPort {
  let handler: (reply: LayerReply) => void = () => {};
  let scheduled = false;
  const deliver = (reply: LayerReply) => {
    // Through structured clone, as a worker's answer arrives (detached here, fresh there).
    const copy = structuredClone(reply, { transfer: replyBuffers(reply) });
    handler(copy);
  };
  return {
    post: (msg) => {
      const answer = engine.receive(structuredClone(msg));
      if (answer) return void setTimeout(() => deliver(answer), 0);
      if (scheduled) return;
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        deliver(engine.compute());
      }, 0);
    },
    onReply: (h) => (handler = h),
    close: () => (handler = () => {}),
  };
}

export class LayerHost {
  readonly #port: LayerPort;
  readonly #onLayers: (data: SensorLayerData) => void;
  #req = 0;
  /** The last table, states or view request sent, and the last one an answer reflects. */
  #lastDrawRequest = 0;
  #answered = 0;
  #gen = 0;
  #table: LiveSensorTable | null = null;
  /** The descriptor last received per slot; kept across answers that leave the slot out. */
  readonly #slots = new Map<string, object>();
  readonly #cellQueries = new Map<number, (shown: number) => void>();
  /** Engine milliseconds of the last drawn answer (for the benchmark). */
  lastEngineMs = 0;

  constructor(port: LayerPort, onLayers: (data: SensorLayerData) => void) {
    this.#port = port;
    this.#onLayers = onLayers;
    port.onReply(this.#onReply);
  }

  /** A new table: the engine gets copies of the columns it draws from. */
  setTable(table: LiveSensorTable, version: number): void {
    this.#table = table;
    this.#gen++;
    this.#slots.clear();
    const columns = {
      origin: table.origin,
      offsets: table.offsets.slice(),
      familyIndex: table.familyIndex.slice(),
      states: table.states.slice(),
      families: table.families,
    };
    this.#send({ type: 'table', req: ++this.#req, gen: this.#gen, version, columns }, [
      columns.offsets.buffer,
      columns.familyIndex.buffer,
      columns.states.buffer,
    ]);
  }

  /** The table's states changed (a delta or catch-up patched them in place). */
  setStates(version: number): void {
    if (!this.#table) return;
    const states = this.#table.states.slice();
    this.#send({ type: 'states', req: ++this.#req, gen: this.#gen, version, states }, [states.buffer]);
  }

  setView(filter: SensorFilter, view: MapView): void {
    this.#send({ type: 'view', req: ++this.#req, filter, view }, []);
  }

  /** Sensors shown in the aggregated cell under [lon, lat]; 0 when none (or not at city zoom). */
  shownInCellAt(lon: number, lat: number, filter: SensorFilter): Promise<number> {
    const req = ++this.#req;
    return new Promise((resolve) => {
      this.#cellQueries.set(req, resolve);
      this.#port.post({ type: 'cellAt', req, lon, lat, filter }, []);
    });
  }

  /** True when every table, states and view request has been answered and handed on. */
  get settled(): boolean {
    return this.#answered >= this.#lastDrawRequest;
  }

  destroy(): void {
    this.#port.close();
    for (const resolve of this.#cellQueries.values()) resolve(0);
    this.#cellQueries.clear();
  }

  #send(msg: LayerRequest, transfer: Transferable[]): void {
    this.#lastDrawRequest = msg.req;
    this.#port.post(msg, transfer);
  }

  #onReply = (reply: LayerReply): void => {
    if (reply.type === 'cellAt') {
      this.#cellQueries.get(reply.req)?.(reply.shown);
      this.#cellQueries.delete(reply.req);
      return;
    }
    if (reply.type === 'layers' && reply.gen === this.#gen && this.#table) {
      this.lastEngineMs = reply.ms;
      this.#onLayers(this.#assemble(reply, this.#table));
    }
    this.#answered = Math.max(this.#answered, reply.upTo);
  };

  #assemble(r: Extract<LayerReply, { type: 'layers' }>, table: LiveSensorTable): SensorLayerData {
    const cells: CellPoints | null = r.cells
      ? {
          length: r.cells.length,
          cellSizeM: r.cells.cellSizeM,
          attributes: {
            getPosition: this.#position('cells', r.cells.position),
            getFillColor: this.#color('cells', r.cells.color),
            getRadius: this.#radius('cells', r.cells.radius),
          },
        }
      : null;
    const normal = r.normal ? this.#points('normal', r.normal) : null;
    const normalRows = this.#take('normalRows', r.normalRows, () => r.normalRows!) as Uint32Array;
    return {
      table,
      version: r.version,
      origin: [table.origin[0], table.origin[1], 0],
      mode: r.mode,
      cells,
      normal,
      normalRows: normal ? normalRows : new Uint32Array(0),
      abnormal: this.#points('abnormal', r.abnormal),
      abnormalRows: this.#take('abnormalRows', r.abnormalRows, () => r.abnormalRows!) as Uint32Array,
    };
  }

  #points(name: string, s: SlotArrays): BinaryPoints {
    const attributes: BinaryPoints['attributes'] = { getPosition: this.#position(name, s.position) };
    if (s.color || this.#slots.has(`${name}.color`)) attributes.getFillColor = this.#color(name, s.color);
    if (s.radius || this.#slots.has(`${name}.radius`)) attributes.getRadius = this.#radius(name, s.radius);
    return { length: s.length, attributes };
  }

  #position(name: string, value: Float32Array | undefined): PositionAttribute {
    return this.#take(`${name}.position`, value, () => ({ value: value!, size: 2 })) as PositionAttribute;
  }

  #color(name: string, value: Uint8Array | undefined): ColorAttribute {
    return this.#take(`${name}.color`, value, () => ({
      value: value!,
      size: 4,
      normalized: true,
    })) as ColorAttribute;
  }

  #radius(name: string, value: Float32Array | undefined): RadiusAttribute {
    return this.#take(`${name}.radius`, value, () => ({ value: value!, size: 1 })) as RadiusAttribute;
  }

  /** The slot's new descriptor when a value arrived for it, else the one it had. */
  #take(slot: string, arrived: unknown, make: () => object): object {
    if (arrived) {
      const d = make();
      this.#slots.set(slot, d);
      return d;
    }
    const held = this.#slots.get(slot);
    if (!held) throw new Error(`layer worker left out ${slot} before sending it`);
    return held;
  }
}
