// The browser's live sensor feed: one Socket.IO connection, snapshot then deltas, resume after a
// reconnect, and a visible 'stale' state when frames stop. Apply rules live in sensor-table.ts.
import { io, type Socket } from 'socket.io-client';
import { SOCKET_OPTIONS } from './socket-options';
import { decodeCatchup, decodeDelta, decodeSnapshot } from './codec';
import type {
  Bbox,
  ClientToServerEvents,
  SensorCatchupFrame,
  HelloFrame,
  SensorDeltaFrame,
  SensorSnapshotFrame,
  ServerToClientEvents,
  TicketFrame,
} from './contract';
import { decideDelta } from './sequence';
import {
  applyChanges,
  emptyCounts,
  fromSnapshot,
  type LiveSensorTable,
  type StateCounts,
} from './sensor-table';

/** What the operator should be told about the feed. */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'stale';

export type StreamSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SensorStreamOptions {
  /** Opens the socket (not yet connected is fine); defaults to the same origin, path /socket.io. */
  connect?: () => StreamSocket;
  /** Connected but no sensor frame for longer than this means 'stale'. Default 8 000 ms. */
  staleAfterMs?: number;
  /** How many hotline tickets to keep for the ticker. Default 5. */
  maxTickets?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** The longest a map page waits for the first snapshot before it starts its map anyway (see firstSnapshot). */
export const MAP_AFTER_SNAPSHOT_MS = 1500;

/** A resubscribe is in flight for this long before a new gap may ask again. */
const RESYNC_PATIENCE_MS = 5_000;
const ACK_TIMEOUT_MS = 10_000;
const RETRY_MS = 3_000;

export class SensorStream {
  /** Connection health as the operator sees it. */
  status = $state<ConnectionStatus>('connecting');
  /** When the last sensor frame (snapshot, delta or heartbeat) arrived; null before the first. */
  lastUpdateAt = $state<Date | null>(null);
  /** Sequence number the table is at; null before the first snapshot. */
  seq = $state<number | null>(null);
  /** Sensors per state, replaced (not mutated) whenever it changes. */
  counts = $state<StateCounts>(emptyCounts());
  /** The server's city-wide counts per family (see SensorDeltaFrame.familyCounts) while scoped; else null. */
  familyCounts = $state.raw<number[] | null>(null);
  /** Bumped every time `table` changes; read it to react to table changes. */
  version = $state(0);
  /** The decoded table. Its arrays are patched in place: depend on `version`, not on its elements. */
  table = $state.raw<LiveSensorTable | null>(null);
  /** Newest hotline tickets first. */
  tickets = $state<TicketFrame[]>([]);
  /** The server's greeting on the current connection. */
  hello = $state.raw<HelloFrame | null>(null);
  /** Milliseconds the last delta took to decode and apply (not reactive; the benchmark reads it). */
  lastDeltaMs = 0;

  readonly #opts: Required<Omit<SensorStreamOptions, 'connect'>> & Pick<SensorStreamOptions, 'connect'>;
  #socket: StreamSocket | null = null;
  #everConnected = false;
  #lastFrameAt = 0;
  #resyncAt: number | null = null;
  #staleTimer: ReturnType<typeof setInterval> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;
  #snapshotWaiters: (() => void)[] = [];
  /** The viewport the deltas are scoped to; null for the whole city. */
  #viewport: Bbox | null = null;
  /** While scoped: the sequence up to which the table knows every sensor (a resume must start there). */
  #scopedFrom: number | null = null;
  /** The last viewport the server confirmed it applied (undefined: none confirmed since connecting). */
  #appliedViewport: Bbox | null | undefined = undefined;

  constructor(options: SensorStreamOptions = {}) {
    this.#opts = {
      connect: options.connect,
      staleAfterMs: options.staleAfterMs ?? 8_000,
      maxTickets: options.maxTickets ?? 5,
      now: options.now ?? Date.now,
    };
  }

  /**
   * Resolves once the stream holds a snapshot, or after `ms` at the latest. A map page starts its WebGL
   * map after this: that start holds the main thread for seconds in software rendering, and the feed's
   * handshake and first frame need the thread too, so the legend counts come first.
   */
  firstSnapshot(ms: number): Promise<void> {
    if (this.table) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        resolve();
      }
      this.#snapshotWaiters.push(finish);
    });
  }

  /** Connects and subscribes. Call in the browser only (onMount). */
  start(): void {
    if (this.#socket || this.#destroyed) return;
    const socket = this.#opts.connect?.() ?? io(SOCKET_OPTIONS);
    this.#socket = socket;
    socket.on('connect', this.#onConnect);
    socket.on('disconnect', this.#onDisconnect);
    socket.on('connect_error', this.#onConnectError);
    socket.on('hello', this.#onHello);
    socket.on('sensors:snapshot', this.#onSnapshot);
    socket.on('sensors:delta', this.#onDelta);
    socket.on('sensors:catchup', this.#onCatchup);
    socket.on('hotline:ticket', this.#onTicket);
    this.#staleTimer = setInterval(this.checkStale, 1_000);
    socket.connect();
  }

  /** Stops listening and closes the connection; the instance cannot be restarted. */
  destroy(): void {
    this.#destroyed = true;
    if (this.#staleTimer) clearInterval(this.#staleTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#staleTimer = this.#retryTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.disconnect();
    }
  }

  /**
   * Asks for deltas of this viewport only (null: the whole city). Sensors outside it keep their last
   * known state until they come into view again, when the server sends their current state.
   */
  setViewport(bbox: Bbox | null): void {
    const same =
      bbox === this.#viewport || (bbox && this.#viewport && bbox.every((v, i) => v === this.#viewport![i]));
    if (same) return;
    this.#viewport = bbox;
    this.#sendViewport();
  }

  #sendViewport(): void {
    const socket = this.#socket;
    if (!socket?.connected || !this.table) return;
    if (this.#viewport && this.#scopedFrom === null) this.#scopedFrom = this.table.seq;
    if (!this.#viewport) this.#scopedFrom = null; // the server catches the whole table up
    const sent = this.#viewport;
    this.#appliedViewport = undefined;
    socket.emit('sensors:viewport', { bbox: sent }, () => {
      if (this.#viewport === sent && this.#socket === socket) this.#appliedViewport = sent;
    });
  }

  /**
   * True once the server confirmed it scopes the deltas to the viewport last asked for (not the whole
   * city): changes outside it wait until they come into view.
   */
  get viewportScoped(): boolean {
    return this.#appliedViewport != null && this.#appliedViewport === this.#viewport;
  }

  /** Marks the feed stale when connected but silent too long; runs every second, public for tests. */
  checkStale = (): void => {
    if (this.status === 'connected' && this.#opts.now() - this.#lastFrameAt > this.#opts.staleAfterMs) {
      this.status = 'stale';
    }
  };

  #onConnect = (): void => {
    this.#everConnected = true;
    this.#lastFrameAt = this.#opts.now(); // the grace period for the first frame starts now
    this.status = 'connected';
    this.#subscribe(this.table?.seq ?? null);
  };

  #onDisconnect = (reason: string): void => {
    if (this.#destroyed) return;
    this.status = 'reconnecting';
    this.#resyncAt = null;
    // The server closed us on purpose: socket.io will not retry by itself.
    if (reason === 'io server disconnect') this.#retryConnect();
  };

  #onConnectError = (): void => {
    if (this.#destroyed) return;
    this.status = this.#everConnected ? 'reconnecting' : 'connecting';
    // Rejected by the server's middleware (e.g. the session expired): no automatic retry either.
    if (this.#socket && !this.#socket.active) this.#retryConnect();
  };

  #onHello = (frame: HelloFrame): void => {
    this.hello = frame;
  };

  #onTicket = (frame: TicketFrame): void => {
    this.tickets = [frame, ...this.tickets].slice(0, this.#opts.maxTickets);
  };

  #onSnapshot = (frame: SensorSnapshotFrame): void => {
    // User timing marks: the benchmark splits the first paint with them (and so can a curious operator).
    performance.mark('citynerve:snapshot');
    this.#touch();
    let table: LiveSensorTable;
    try {
      table = fromSnapshot(decodeSnapshot(frame));
    } catch (err) {
      console.error('sensor snapshot rejected', err);
      return;
    }
    this.#resyncAt = null;
    this.table = table;
    this.seq = table.seq;
    this.counts = { ...table.counts };
    this.familyCounts = null;
    this.version++;
    performance.mark('citynerve:snapshot-table');
    for (const resolve of this.#snapshotWaiters.splice(0)) resolve();
  };

  #onDelta = (frame: SensorDeltaFrame): void => {
    const t0 = performance.now();
    this.#touch();
    const table = this.table;
    if (!table) return; // the snapshot we asked for already contains it
    let changes;
    try {
      changes = decodeDelta(frame);
    } catch (err) {
      console.error('sensor delta rejected', err);
      return;
    }
    // The server's sequence went backwards (its database was reset): only a snapshot can help.
    if (changes.seq < changes.fromSeq) return this.#resync(null);
    const decision = decideDelta(table.seq, changes.fromSeq, changes.seq);
    if (decision === 'gap') return this.#resync(table.seq);
    if (decision === 'ignore') return;
    const result = applyChanges(table, changes);
    this.#resyncAt = null;
    this.seq = table.seq;
    if (frame.counts) {
      // Scoped to a viewport: our table no longer sees every change, the server's counts do.
      const [normal, warning, alarm, offline] = frame.counts;
      this.counts = { normal, warning, alarm, offline };
      this.familyCounts = frame.familyCounts ?? null;
    } else {
      this.familyCounts = null;
      if (result.changed > 0) this.counts = { ...table.counts };
    }
    if (result.changed > 0) this.version++;
    // A sensor added after our snapshot has no position here: fetch the whole table again.
    if (result.unknownIds.length > 0) this.#resync(null);
    this.lastDeltaMs = performance.now() - t0;
  };

  #onCatchup = (frame: SensorCatchupFrame): void => {
    const table = this.table;
    if (!table) return;
    let c;
    try {
      c = decodeCatchup(frame);
    } catch (err) {
      console.error('sensor catch-up rejected', err);
      return;
    }
    // Current states read after every delta we have: apply as they are, the sequence stays.
    const result = applyChanges(table, { fromSeq: table.seq, seq: table.seq, ids: c.ids, states: c.states });
    if (result.changed > 0) this.version++;
  };

  #touch(): void {
    this.#lastFrameAt = this.#opts.now();
    // Replaced, never mutated, so a plain Date is enough.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.lastUpdateAt = new Date(this.#lastFrameAt);
    if (this.status === 'stale') this.status = 'connected';
  }

  /** Asks again from `sinceSeq` unless a request is already in flight. */
  #resync(sinceSeq: number | null): void {
    if (this.#resyncAt !== null && this.#opts.now() - this.#resyncAt < RESYNC_PATIENCE_MS) return;
    this.#subscribe(sinceSeq);
  }

  #subscribe(sinceSeq: number | null): void {
    const socket = this.#socket;
    if (!socket?.connected) return;
    this.#resyncAt = this.#opts.now();
    this.#appliedViewport = undefined; // a subscribe puts the server back on the whole city
    // While scoped, sensors outside the viewport are only known up to #scopedFrom: resume from there.
    const since =
      sinceSeq === null || this.#scopedFrom === null ? sinceSeq : Math.min(sinceSeq, this.#scopedFrom);
    socket.timeout(ACK_TIMEOUT_MS).emit('sensors:subscribe', { sinceSeq: since }, (err, res) => {
      if (this.#destroyed || socket !== this.#socket) return;
      if (!err && res?.ok) {
        // A subscription starts from the whole city: the table is complete again, then scope anew.
        this.#scopedFrom = null;
        if (this.#viewport) this.#sendViewport();
        return;
      }
      if (err || !res?.ok) {
        console.warn('sensor subscribe failed', err?.message ?? res?.error);
        this.#resyncAt = null;
        if (this.#retryTimer) clearTimeout(this.#retryTimer);
        this.#retryTimer = setTimeout(() => this.#subscribe(this.table?.seq ?? null), RETRY_MS);
      }
    });
  }

  #retryConnect(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (!this.#destroyed && this.#socket && !this.#socket.connected) this.#socket.connect();
    }, RETRY_MS);
  }
}
