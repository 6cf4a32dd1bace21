// The live sensor feed of one node: polls the change feed, sends deltas to the sensor room, and answers
// subscriptions with a snapshot or a resume delta. All reads and their emits run one at a time, so every
// socket receives frames in the order they were read (the client's resume rule depends on it).
// The whole city is kept in memory (SensorIndex), read once when the hub starts and kept current by each
// poll, so a snapshot is encoded from memory, once per sequence, and shared by every client subscribing
// at that sequence: no query per subscription, however many browsers open the map at once.
import type { Server, Socket } from 'socket.io';
import {
  SENSOR_ROOM,
  type Bbox,
  type ClientToServerEvents,
  type SensorSnapshotFrame,
  type ServerToClientEvents,
  type SubscribeAck,
  type SubscribeRequest,
} from '../../src/lib/streams/contract';
import { encodeCatchup, encodeDelta, encodeSnapshot } from '../../src/lib/streams/codec';
import { resumeMode } from '../../src/lib/streams/sequence';
import type { SensorFeedRepository, SnapshotRows } from '../db/repositories/sensor-feed.repository';
import type { Logger } from '../log';
import { SensorIndex, parseBbox } from './sensor-index';

/** A client whose deltas are cut to its viewport. */
interface Scoped {
  socket: ClientSocket;
  bbox: Bbox;
  /** Up to this sequence the client knows every sensor; after it, only those in its viewports. */
  completeSeq: number;
}

type Io = Server<ClientToServerEvents, ServerToClientEvents>;
type ClientSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export interface SensorHubOptions {
  pollMs: number;
  /** Above this many changed sensors a resuming client gets a fresh snapshot instead. */
  resumeMaxChanges: number;
  /** An empty delta is sent at least this often so clients can tell a quiet feed from a dead one. */
  heartbeatMs?: number;
}

/** Packs snapshot rows into the binary table of the contract. */
export function tableFromRows(s: SnapshotRows) {
  const n = s.rows.length;
  const ids = new Int32Array(n);
  const offsets = new Float32Array(2 * n);
  const familyIndex = new Uint8Array(n);
  const states = new Uint8Array(n);
  const famIdx = new Map(s.families.map((f, i) => [f, i]));
  let minLon = Infinity;
  let minLat = Infinity;
  for (const r of s.rows) {
    if (r.lon < minLon) minLon = r.lon;
    if (r.lat < minLat) minLat = r.lat;
  }
  const origin: [number, number] = n ? [minLon, minLat] : [0, 0];
  s.rows.forEach((r, i) => {
    ids[i] = r.id;
    offsets[2 * i] = r.lon - origin[0];
    offsets[2 * i + 1] = r.lat - origin[1];
    familyIndex[i] = famIdx.get(r.family) ?? 255;
    states[i] = r.state;
  });
  return { seq: s.seq, count: n, origin, ids, offsets, familyIndex, states, families: s.families };
}

export class SensorHub {
  private cursor: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private lastEmit = 0;
  private stopped = false;
  /** Positions and states of all sensors, current with `indexSeq`; built at start and after a reset. */
  private index: SensorIndex | null = null;
  private indexSeq = 0;
  /** The snapshot frame encoded from `index` at `seq`, reused until the index moves on or is rebuilt. */
  private frame: { index: SensorIndex; seq: number; data: SensorSnapshotFrame } | null = null;
  private readonly scoped = new Map<string, Scoped>();

  constructor(
    private readonly io: Io,
    private readonly feed: SensorFeedRepository,
    private readonly opts: SensorHubOptions,
    private readonly log: Logger,
  ) {}

  /** Runs `fn` after every earlier read-and-emit has finished. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      try {
        await this.serial(() => this.poll());
      } catch (err) {
        this.log.warn('sensor feed poll failed', { error: (err as Error).message });
      }
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.opts.pollMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.queue;
  }

  private async poll(): Promise<void> {
    if (this.cursor === null) {
      // Read the city now, before the first browser asks for it.
      await this.ensureIndex();
      this.cursor = this.indexSeq;
      return;
    }
    const from = this.cursor;
    const changes = await this.feed.changesSince(from);
    // A database that was reset has smaller numbers than our cursor: start over from its present.
    const reset = changes.seq < from;
    const seq = reset ? changes.seq : Math.max(from, changes.seq);
    if (reset) this.index = null;
    const now = Date.now();
    if (changes.rows.length === 0 && now - this.lastEmit < (this.opts.heartbeatMs ?? 2000)) {
      this.cursor = seq;
      if (this.index) this.indexSeq = Math.max(this.indexSeq, seq);
      return;
    }
    const ids = Int32Array.from(changes.rows, (r) => r.id);
    const states = Uint8Array.from(changes.rows, (r) => r.state);
    // Local: every node reads the feed from the database for its own browsers (through the adapter,
    // each browser would get every node's copy).
    this.io.local.to(SENSOR_ROOM).emit('sensors:delta', encodeDelta({ fromSeq: from, seq, ids, states }));
    if (this.index) {
      // A sensor the index has never seen (added since it was built) means rebuilding it on next use.
      if (changes.rows.some((r) => !this.index!.knows(r.id))) this.index = null;
      else {
        this.index.apply(ids, states);
        this.indexSeq = Math.max(this.indexSeq, seq);
      }
    }
    for (const c of this.scoped.values()) {
      const cut = this.index ? this.index.within(c.bbox, ids, states) : { ids, states };
      c.socket.emit('sensors:delta', encodeDelta({ fromSeq: from, seq, ...cut }, this.index?.familyCounts));
    }
    this.lastEmit = now;
    this.cursor = seq;
  }

  private async ensureIndex(): Promise<SensorIndex> {
    if (!this.index) {
      const snap = await this.feed.snapshot();
      this.index = new SensorIndex(snap.rows, snap.families);
      this.indexSeq = snap.seq;
    }
    return this.index;
  }

  /**
   * The whole city as a snapshot frame at the index's sequence (which may trail the database by a poll:
   * the deltas of the sensor room carry on from there), encoded once per sequence.
   */
  private snapshotFrame(index: SensorIndex): SensorSnapshotFrame {
    if (this.frame?.index !== index || this.frame.seq !== this.indexSeq)
      this.frame = { index, seq: this.indexSeq, data: encodeSnapshot(index.table(this.indexSeq)) };
    return this.frame.data;
  }

  /**
   * Handles 'sensors:viewport': from now on the client gets only the changes inside `bbox` (plus the
   * city-wide counts), or everything again for a null box. Sensors that come into view are caught up
   * with their current state, since the client may have missed their changes while they were outside.
   */
  viewport(socket: ClientSocket, bbox: unknown): Promise<void> {
    return this.serial(async () => {
      if (!socket.rooms.has(SENSOR_ROOM) && !this.scoped.has(socket.id)) return; // not subscribed
      const box = bbox === null ? null : parseBbox(bbox);
      if (bbox !== null && !box) return; // malformed: keep whatever scope the client had
      const current = this.scoped.get(socket.id);
      if (!box) {
        if (!current) return;
        this.scoped.delete(socket.id);
        await this.catchUp(socket, current.completeSeq, null);
        await socket.join(SENSOR_ROOM);
        return;
      }
      const index = await this.ensureIndex();
      if (!current) {
        // Everything up to the hub's cursor has been sent to this socket (reads and emits are serial).
        this.scoped.set(socket.id, { socket, bbox: box, completeSeq: this.cursor ?? 0 });
        await socket.leave(SENSOR_ROOM);
        return;
      }
      current.bbox = box;
      await this.catchUp(socket, current.completeSeq, index);
    });
  }

  /** Sends the current state of every sensor changed since `sinceSeq` (inside the client's box, if any). */
  private async catchUp(socket: ClientSocket, sinceSeq: number, index: SensorIndex | null): Promise<void> {
    const changes = await this.feed.changesSince(sinceSeq);
    const ids = Int32Array.from(changes.rows, (r) => r.id);
    const states = Uint8Array.from(changes.rows, (r) => r.state);
    const box = this.scoped.get(socket.id)?.bbox;
    const cut = index && box ? index.within(box, ids, states) : { ids, states };
    if (cut.ids.length) socket.emit('sensors:catchup', encodeCatchup(cut.ids, cut.states));
  }

  /** Forgets a disconnected socket. */
  forget(socketId: string): void {
    this.scoped.delete(socketId);
  }

  /**
   * A first subscription while the city is in memory: answered at once instead of after the poll in
   * flight, which may wait on the database behind a batch of writes. That poll's delta starts at or
   * before the index's sequence, so the client applies it after this snapshot; the socket joins the
   * room in the same turn as the snapshot is sent, so no delta falls in between.
   */
  private async snapshotNow(
    socket: ClientSocket,
    index: SensorIndex,
    ack: (res: SubscribeAck) => void,
  ): Promise<void> {
    try {
      this.scoped.delete(socket.id);
      ack({ ok: true, mode: 'snapshot' });
      socket.emit('sensors:snapshot', this.snapshotFrame(index));
      await socket.join(SENSOR_ROOM);
    } catch (err) {
      this.log.warn('sensor subscribe failed', { error: (err as Error).message });
      ack({ ok: false, error: 'subscribe failed' });
    }
  }

  /** Handles 'sensors:subscribe': a snapshot or the changes since the client's sequence, then live deltas. */
  subscribe(socket: ClientSocket, req: SubscribeRequest, ack: (res: SubscribeAck) => void): Promise<void> {
    if (typeof req?.sinceSeq !== 'number' && this.index) return this.snapshotNow(socket, this.index, ack);
    return this.serial(async () => {
      try {
        // A (re)subscription starts from the whole city; the client sends its viewport again after.
        this.scoped.delete(socket.id);
        const since = req?.sinceSeq;
        let mode: 'snapshot' | 'resume' = 'snapshot';
        if (typeof since === 'number') {
          const current = await this.feed.currentSeq();
          const changed = since <= current ? await this.feed.countChangedSince(since) : 0;
          mode = resumeMode(since, current, changed, this.opts.resumeMaxChanges);
        }
        ack({ ok: true, mode });
        if (mode === 'resume') {
          const changes = await this.feed.changesSince(since as number);
          socket.emit(
            'sensors:delta',
            encodeDelta({
              fromSeq: since as number,
              seq: changes.seq,
              ids: Int32Array.from(changes.rows, (r) => r.id),
              states: Uint8Array.from(changes.rows, (r) => r.state),
            }),
          );
        } else {
          socket.emit('sensors:snapshot', this.snapshotFrame(await this.ensureIndex()));
        }
        await socket.join(SENSOR_ROOM);
      } catch (err) {
        this.log.warn('sensor subscribe failed', { error: (err as Error).message });
        ack({ ok: false, error: 'subscribe failed' });
      }
    });
  }
}
