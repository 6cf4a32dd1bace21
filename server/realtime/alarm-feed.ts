// The live alarm feed of one node: polls the alarm change feed in the shared database (so a change made on
// any node reaches the browsers of every node) and sends each batch to the alarm room; answers a
// subscription with the alarms not yet cleared. Reads and their emits run one at a time, so a subscriber
// never gets a frame read before its snapshot.
import type { Server, Socket } from 'socket.io';
import {
  ALARM_ROOM,
  ALARM_WIRE_VERSION,
  type AlarmsSubscribeAck,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../../src/lib/streams/contract';
import type { AlarmFeedRepository } from '../db/repositories/alarm-feed.repository';
import type { Logger } from '../log';

type Io = Server<ClientToServerEvents, ServerToClientEvents>;
type ClientSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export interface AlarmFeedOptions {
  /** Pause between two reads of the feed, ms. */
  pollMs: number;
  /** Most alarms in one frame; more changes follow in the next frames (default 1000). */
  maxFrameAlarms?: number;
  /** Most alarms in a subscription's snapshot, the most urgent first (default 500). */
  snapshotLimit?: number;
}

/** Busy feed reads in a row (lock not free in time) after which it is worth a warning. */
const BUSY_WARN_AFTER = 25;

export class AlarmFeed {
  private cursor: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private busyRun = 0;

  constructor(
    private readonly io: Io,
    private readonly feed: AlarmFeedRepository,
    private readonly opts: AlarmFeedOptions,
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
        this.log.warn('alarm feed poll failed', { error: (err as Error).message });
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

  /** Reads the changes since the cursor and sends them; returns how many alarms were sent (tests). */
  async poll(): Promise<number> {
    if (this.cursor === null) {
      this.cursor = this.busy(await this.feed.currentSeq());
      return 0;
    }
    const from = this.cursor;
    const changes = this.busy(await this.feed.changesSince(from, this.opts.maxFrameAlarms ?? 1000));
    if (!changes) return 0;
    if (changes.seq < from) {
      // The database was reset and numbers start low again: tell clients, who then ask for a snapshot.
      // Local: every node reads the feed from the database for its own browsers (through the adapter,
      // each browser would get every node's copy).
      this.io.local.to(ALARM_ROOM).emit('alarms:changed', {
        v: ALARM_WIRE_VERSION,
        fromSeq: from,
        seq: changes.seq,
        counts: changes.counts ?? { open: 0, acknowledged: 0, critical: 0 },
        alarms: [],
      });
      this.cursor = changes.seq;
      return 0;
    }
    if (changes.rows.length > 0 && changes.counts) {
      this.io.local.to(ALARM_ROOM).emit('alarms:changed', {
        v: ALARM_WIRE_VERSION,
        fromSeq: from,
        seq: changes.seq,
        counts: changes.counts,
        alarms: changes.rows,
      });
    }
    this.cursor = changes.seq;
    return changes.rows.length;
  }

  /** Counts busy reads (null) and warns once when the feed has been busy for long. */
  private busy<T>(value: T | null): T | null {
    if (value !== null) {
      this.busyRun = 0;
      return value;
    }
    if (++this.busyRun === BUSY_WARN_AFTER) {
      this.log.warn('alarm feed: lock busy on every read for a while; alarms reach browsers late', {
        reads: this.busyRun,
      });
    }
    return null;
  }

  /** Handles 'alarms:subscribe': the alarms not yet cleared, then every frame read after them. */
  subscribe(socket: ClientSocket, ack: (res: AlarmsSubscribeAck) => void): Promise<void> {
    return this.serial(async () => {
      try {
        let snap = await this.feed.snapshot(this.opts.snapshotLimit ?? 500);
        // A busy feed clears within a lock timeout or two; the subscriber should not wait a whole poll.
        for (let i = 0; !snap && i < 3; i++) snap = await this.feed.snapshot(this.opts.snapshotLimit ?? 500);
        if (!snap) {
          ack({ ok: false, error: 'alarm feed busy, try again' });
          return;
        }
        ack({
          ok: true,
          snapshot: { v: ALARM_WIRE_VERSION, seq: snap.seq, counts: snap.counts, alarms: snap.rows },
        });
        await socket.join(ALARM_ROOM);
      } catch (err) {
        this.log.warn('alarm subscribe failed', { error: (err as Error).message });
        ack({ ok: false, error: 'subscribe failed' });
      }
    });
  }
}
