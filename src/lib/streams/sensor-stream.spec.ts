import { describe, expect, it } from 'vitest';
import { encodeCatchup, encodeDelta, encodeSnapshot } from './codec';
import type { SubscribeAck, SubscribeRequest, ViewportRequest } from './contract';
import { SensorStream, type StreamSocket } from './sensor-stream.svelte';

type Handler = (...args: never[]) => void;

/** Just enough of a socket.io client socket to drive the stream by hand. */
class FakeSocket {
  connected = false;
  active = true;
  handlers = new Map<string, Handler>();
  subscribes: SubscribeRequest[] = [];
  acks: ((err: Error | null, res: SubscribeAck) => void)[] = [];
  viewports: ViewportRequest[] = [];
  viewportAcks: (() => void)[] = [];
  emit(event: string, req: ViewportRequest, ack?: () => void) {
    if (event === 'sensors:viewport') {
      this.viewports.push(req);
      if (ack) this.viewportAcks.push(ack);
    }
    return this;
  }
  on(event: string, handler: Handler) {
    this.handlers.set(event, handler);
    return this;
  }
  removeAllListeners() {
    this.handlers.clear();
    return this;
  }
  connect() {
    return this;
  }
  disconnect() {
    this.connected = false;
    return this;
  }
  timeout() {
    return {
      emit: (_event: string, req: SubscribeRequest, ack: (err: Error | null, res: SubscribeAck) => void) => {
        this.subscribes.push(req);
        this.acks.push(ack);
      },
    };
  }
  fire(event: string, ...args: unknown[]) {
    (this.handlers.get(event) as ((...a: unknown[]) => void) | undefined)?.(...args);
  }
  serverConnect() {
    this.connected = true;
    this.fire('connect');
  }
}

function snapshot(seq: number, states: number[]) {
  const n = states.length;
  return encodeSnapshot({
    seq,
    count: n,
    origin: [121.4, 31.2],
    ids: Int32Array.from(states, (_, i) => 1 + i),
    offsets: new Float32Array(2 * n),
    familyIndex: new Uint8Array(n),
    states: Uint8Array.from(states),
    families: ['gas'],
  });
}

const delta = (fromSeq: number, seq: number, entries: [number, number][]) =>
  encodeDelta({
    fromSeq,
    seq,
    ids: Int32Array.from(entries.map((e) => e[0])),
    states: Uint8Array.from(entries.map((e) => e[1])),
  });

function setup() {
  let now = 1_000_000;
  const socket = new FakeSocket();
  const stream = new SensorStream({
    connect: () => socket as unknown as StreamSocket,
    now: () => now,
  });
  stream.start();
  return { socket, stream, advance: (ms: number) => (now += ms) };
}

describe('SensorStream', () => {
  it('subscribes fresh, applies the snapshot and then deltas', () => {
    const { socket, stream } = setup();
    expect(stream.status).toBe('connecting');
    socket.serverConnect();
    expect(stream.status).toBe('connected');
    expect(socket.subscribes).toEqual([{ sinceSeq: null }]);

    socket.fire('sensors:snapshot', snapshot(5, [0, 0, 1]));
    expect(stream.seq).toBe(5);
    expect(stream.counts).toEqual({ normal: 2, warning: 1, alarm: 0, offline: 0 });
    const v = stream.version;

    socket.fire('sensors:delta', delta(5, 7, [[2, 2]]));
    expect(stream.counts.alarm).toBe(1);
    expect(stream.seq).toBe(7);
    expect(stream.version).toBe(v + 1);
    expect(stream.lastUpdateAt).toBeInstanceOf(Date);
    stream.destroy();
  });

  it('lets a map wait for the first snapshot, but not longer than it asked', async () => {
    const { socket, stream } = setup();
    socket.serverConnect();
    let started = false;
    const waiting = stream.firstSnapshot(60_000).then(() => (started = true));
    await Promise.resolve();
    expect(started).toBe(false);
    socket.fire('sensors:snapshot', snapshot(5, [0, 1]));
    await waiting;
    expect(started).toBe(true);
    await stream.firstSnapshot(60_000); // already there: at once

    const { stream: silent } = setup();
    const t0 = Date.now();
    await silent.firstSnapshot(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    stream.destroy();
    silent.destroy();
  });

  it('asks to resume from its sequence on a gap, once', () => {
    const { socket, stream } = setup();
    socket.serverConnect();
    socket.fire('sensors:snapshot', snapshot(5, [0]));
    socket.fire('sensors:delta', delta(9, 10, [[1, 2]]));
    socket.fire('sensors:delta', delta(10, 11, [[1, 3]]));
    expect(socket.subscribes).toEqual([{ sinceSeq: null }, { sinceSeq: 5 }]);
    expect(stream.counts.normal).toBe(1);
    socket.fire('sensors:delta', delta(5, 11, [[1, 3]])); // the resume
    expect(stream.counts.offline).toBe(1);
    stream.destroy();
  });

  it('resumes from the last sequence after a reconnect', () => {
    const { socket, stream } = setup();
    socket.serverConnect();
    socket.fire('sensors:snapshot', snapshot(5, [0]));
    socket.connected = false;
    socket.fire('disconnect', 'transport close');
    expect(stream.status).toBe('reconnecting');
    socket.serverConnect();
    expect(socket.subscribes.at(-1)).toEqual({ sinceSeq: 5 });
    stream.destroy();
  });

  it('goes stale after 8 s without frames and recovers on the next one', () => {
    const { socket, stream, advance } = setup();
    socket.serverConnect();
    socket.fire('sensors:snapshot', snapshot(5, [0]));
    advance(8_001);
    stream.checkStale();
    expect(stream.status).toBe('stale');
    socket.fire('sensors:delta', delta(5, 5, [])); // heartbeat
    expect(stream.status).toBe('connected');
    stream.destroy();
  });

  it('keeps the five newest hotline tickets', () => {
    const { socket, stream } = setup();
    for (let id = 1; id <= 7; id++) {
      socket.fire('hotline:ticket', {
        id,
        receivedAt: new Date().toISOString(),
        streetName: null,
        summary: 's',
      });
    }
    expect(stream.tickets.map((t) => t.id)).toEqual([7, 6, 5, 4, 3]);
    stream.destroy();
  });

  it('scopes deltas to a viewport, takes the city counts from the server, and resumes from where it was complete', () => {
    const { socket, stream } = setup();
    socket.serverConnect();
    socket.acks[0](null, { ok: true, mode: 'snapshot' });
    socket.fire('sensors:snapshot', snapshot(5, [0, 0, 0, 0]));
    expect(socket.viewports).toEqual([]);

    stream.setViewport([121.4, 31.2, 121.5, 31.3]);
    stream.setViewport([121.4, 31.2, 121.5, 31.3]); // unchanged: not sent again
    expect(socket.viewports).toEqual([{ bbox: [121.4, 31.2, 121.5, 31.3] }]);
    // Scoped only once the server says so; a newer box asked for meanwhile makes an older ack moot.
    expect(stream.viewportScoped).toBe(false);
    stream.setViewport([121.41, 31.2, 121.5, 31.3]);
    socket.viewportAcks[0]();
    expect(stream.viewportScoped).toBe(false);
    socket.viewportAcks[1]();
    expect(stream.viewportScoped).toBe(true);

    // A scoped delta carries the whole city's counts, which the legend shows.
    const d = delta(5, 8, [[1, 2]]);
    d.counts = [10, 3, 1, 0];
    d.familyCounts = [10, 3, 1, 0];
    socket.fire('sensors:delta', d);
    expect(stream.counts).toEqual({ normal: 10, warning: 3, alarm: 1, offline: 0 });
    expect(stream.familyCounts).toEqual([10, 3, 1, 0]);

    // Sensors coming into view arrive with their current state, without moving the sequence.
    socket.fire('sensors:catchup', encodeCatchup(Int32Array.from([3]), Uint8Array.from([3])));
    expect(stream.seq).toBe(8);

    // After a reconnect the table is only complete up to seq 5: resume from there, then scope again.
    socket.fire('disconnect', 'transport close');
    socket.serverConnect();
    expect(socket.subscribes.at(-1)).toEqual({ sinceSeq: 5 });
    socket.acks.at(-1)!(null, { ok: true, mode: 'resume' });
    expect(socket.viewports.at(-1)).toEqual({ bbox: [121.41, 31.2, 121.5, 31.3] });
    expect(stream.viewportScoped).toBe(false); // a new connection: not confirmed yet
    socket.viewportAcks.at(-1)!();
    expect(stream.viewportScoped).toBe(true);

    // Back to the whole city: not scoped, acknowledged or not.
    stream.setViewport(null);
    expect(socket.viewports.at(-1)).toEqual({ bbox: null });
    socket.viewportAcks.at(-1)!();
    expect(stream.viewportScoped).toBe(false);
    stream.destroy();
  });
});
