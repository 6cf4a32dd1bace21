// The browser's live alarm feed: subscribes on the page's Socket.IO connection, keeps the alarms not yet
// cleared, applies 'alarms:changed' frames in sequence (asking again after a gap or a reconnect), and tells
// listeners (the sensor panel) which alarms changed. The apply rules live in alarm-stream-list.ts.
import { getContext, setContext } from 'svelte';
import { io } from 'socket.io-client';
import { SOCKET_OPTIONS } from './socket-options';
import { applyAlarms, decideAlarmFrame, mostUrgent, openFromSnapshot } from './alarm-stream-list';
import type { AlarmFeedItem, AlarmsChangedFrame, OpenAlarmCounts } from './contract';
import type { StreamSocket } from './sensor-stream.svelte';

/** What listeners hear: alarms that changed, or a fresh snapshot (anything may have changed). */
export type AlarmEvent = { kind: 'changed'; alarms: AlarmFeedItem[] } | { kind: 'snapshot' };

export type AlarmFeedStatus = 'connecting' | 'live' | 'resyncing';

export interface AlarmStreamOptions {
  /**
   * The socket to use, shared with the sensor stream (which connects it); the stream then only adds and
   * removes its own listeners. Without it the stream opens and owns a connection of its own.
   */
  connect?: () => StreamSocket;
  /** How many of the most urgent alarms `top` holds. Default 5. */
  topSize?: number;
}

const ACK_TIMEOUT_MS = 10_000;
const RETRY_MS = 3_000;

export class AlarmStream {
  /** 'live' once a snapshot arrived and frames are applied. */
  status = $state<AlarmFeedStatus>('connecting');
  /** Alarms not yet cleared in the whole city (from the server); null before the first snapshot. */
  counts = $state.raw<OpenAlarmCounts | null>(null);
  /** The most urgent alarms not yet cleared, replaced (not mutated) on every change. */
  top = $state.raw<AlarmFeedItem[]>([]);

  readonly #opts: AlarmStreamOptions;
  // Plain collections on purpose: the UI reads `top` and `counts`, which are replaced on every change.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #open = new Map<number, AlarmFeedItem>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #listeners = new Set<(e: AlarmEvent) => void>();
  #socket: StreamSocket | null = null;
  #owned = false;
  #seq: number | null = null;
  #pending = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;

  constructor(options: AlarmStreamOptions = {}) {
    this.#opts = options;
  }

  /** Sequence number applied so far; null before the first snapshot. */
  get seq(): number | null {
    return this.#seq;
  }

  /** Calls `fn` for every change; returns the function that stops it. */
  listen(fn: (e: AlarmEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Subscribes on the socket (connecting it when the stream owns it). Call in the browser only. */
  start(): void {
    if (this.#socket || this.#destroyed) return;
    this.#owned = !this.#opts.connect;
    const socket = this.#opts.connect?.() ?? io(SOCKET_OPTIONS);
    this.#socket = socket;
    socket.on('connect', this.#onConnect);
    socket.on('disconnect', this.#onDisconnect);
    socket.on('alarms:changed', this.#onChanged);
    if (socket.connected) this.#subscribe();
    else if (this.#owned) socket.connect();
  }

  /** Removes its listeners (and closes the connection if it owns it); cannot be restarted. */
  destroy(): void {
    this.#destroyed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#listeners.clear();
    const socket = this.#socket;
    this.#socket = null;
    if (!socket) return;
    socket.off('connect', this.#onConnect);
    socket.off('disconnect', this.#onDisconnect);
    socket.off('alarms:changed', this.#onChanged);
    if (this.#owned) socket.disconnect();
  }

  #onConnect = (): void => this.#subscribe();

  #onDisconnect = (): void => {
    // Frames sent while we were away are lost: a new snapshot follows the reconnect.
    if (!this.#destroyed) this.status = 'connecting';
    this.#pending = false;
  };

  #onChanged = (frame: AlarmsChangedFrame): void => {
    const decision = decideAlarmFrame(this.#seq, frame);
    if (decision === 'resync' || decision === 'gap') return this.#subscribe();
    if (decision === 'ignore') return;
    applyAlarms(this.#open, frame.alarms);
    this.#seq = frame.seq;
    this.counts = frame.counts;
    this.top = mostUrgent(this.#open, this.#opts.topSize ?? 5);
    this.#emit({ kind: 'changed', alarms: frame.alarms });
  };

  #subscribe(): void {
    const socket = this.#socket;
    if (!socket?.connected || this.#pending || this.#destroyed) return;
    this.#pending = true;
    if (this.status === 'live') this.status = 'resyncing';
    socket.timeout(ACK_TIMEOUT_MS).emit('alarms:subscribe', (err, res) => {
      if (this.#destroyed || socket !== this.#socket) return;
      this.#pending = false;
      if (err || !res?.ok) {
        console.warn('alarm subscribe failed', err?.message ?? (res && !res.ok ? res.error : ''));
        if (this.#retryTimer) clearTimeout(this.#retryTimer);
        this.#retryTimer = setTimeout(() => this.#subscribe(), RETRY_MS);
        return;
      }
      const snap = res.snapshot;
      this.#open.clear();
      for (const [id, a] of openFromSnapshot(snap)) this.#open.set(id, a);
      this.#seq = snap.seq;
      this.counts = snap.counts;
      this.top = mostUrgent(this.#open, this.#opts.topSize ?? 5);
      this.status = 'live';
      this.#emit({ kind: 'snapshot' });
    });
  }

  #emit(e: AlarmEvent): void {
    for (const fn of this.#listeners) {
      try {
        fn(e);
      } catch (err) {
        console.error('alarm listener failed', err);
      }
    }
  }
}

const KEY = Symbol('citynerve.alarm-stream');

/** Hands the page's alarm stream to the components below it (the sensor panel's alarm history). */
export function setAlarmStream(stream: AlarmStream): AlarmStream {
  return setContext(KEY, stream);
}

/** The alarm stream of the page, or undefined where there is none (the component then does without). */
export function useAlarmStream(): AlarmStream | undefined {
  return getContext<AlarmStream | undefined>(KEY);
}
