// The live sensor feed of one node: polls the change feed, sends deltas to the sensor room, and answers
// subscriptions with a snapshot or a resume delta. All reads and their emits run one at a time, so every
// socket receives frames in the order they were read (the client's resume rule depends on it).
import type { Server, Socket } from 'socket.io';
import {
  SENSOR_ROOM,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SubscribeAck,
  type SubscribeRequest,
} from '../../src/lib/streams/contract';
import { encodeDelta, encodeSnapshot } from '../../src/lib/streams/codec';
import { resumeMode } from '../../src/lib/streams/sequence';
import type { SensorFeedRepository, SnapshotRows } from '../db/repositories/sensor-feed.repository';
import type { Logger } from '../log';

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
      this.cursor = await this.feed.currentSeq();
      return;
    }
    const from = this.cursor;
    const changes = await this.feed.changesSince(from);
    // A database that was reset has smaller numbers than our cursor: start over from its present.
    const seq = changes.seq < from ? changes.seq : Math.max(from, changes.seq);
    const now = Date.now();
    if (changes.rows.length === 0 && now - this.lastEmit < (this.opts.heartbeatMs ?? 2000)) {
      this.cursor = seq;
      return;
    }
    const ids = Int32Array.from(changes.rows, (r) => r.id);
    const states = Uint8Array.from(changes.rows, (r) => r.state);
    this.io.to(SENSOR_ROOM).emit('sensors:delta', encodeDelta({ fromSeq: from, seq, ids, states }));
    this.lastEmit = now;
    this.cursor = seq;
  }

  /** Handles 'sensors:subscribe': a snapshot or the changes since the client's sequence, then live deltas. */
  subscribe(socket: ClientSocket, req: SubscribeRequest, ack: (res: SubscribeAck) => void): Promise<void> {
    return this.serial(async () => {
      try {
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
          socket.emit('sensors:snapshot', encodeSnapshot(tableFromRows(await this.feed.snapshot())));
        }
        await socket.join(SENSOR_ROOM);
      } catch (err) {
        this.log.warn('sensor subscribe failed', { error: (err as Error).message });
        ack({ ok: false, error: 'subscribe failed' });
      }
    });
  }
}
