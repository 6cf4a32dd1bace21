import { describe, expect, it } from 'vitest';
import { applyAlarms, byUrgency, decideAlarmFrame, mostUrgent, openFromSnapshot } from './alarm-stream-list';
import { AlarmStream, type AlarmEvent } from './alarm-stream.svelte';
import type { AlarmFeedItem, AlarmsChangedFrame, AlarmsSubscribeAck } from './contract';
import type { StreamSocket } from './sensor-stream.svelte';

const COUNTS = { open: 0, acknowledged: 0, critical: 0 };

function alarm(id: number, over: Partial<AlarmFeedItem> = {}): AlarmFeedItem {
  return {
    id,
    sensorId: 100 + id,
    sensorCode: `MH-${id}`,
    ruleId: 'manhole.tilt',
    severity: 1,
    status: 'open',
    openedAt: `2026-03-02T08:00:0${id % 10}.000Z`,
    acknowledgedBy: null,
    acknowledgedAt: null,
    clearedAt: null,
    escalationLevel: 0,
    caseCode: null,
    seq: id,
    ...over,
  };
}

const frame = (
  fromSeq: number,
  seq: number,
  alarms: AlarmFeedItem[],
  counts = COUNTS,
): AlarmsChangedFrame => ({
  v: 1,
  fromSeq,
  seq,
  counts,
  alarms,
});

describe('alarm list rules', () => {
  it('orders critical first, then newest, then highest id', () => {
    const list = [alarm(1), alarm(2, { severity: 2 }), alarm(3), alarm(13, { openedAt: alarm(3).openedAt })];
    expect(list.sort(byUrgency).map((a) => a.id)).toEqual([2, 13, 3, 1]);
  });

  it('keeps cleared alarms out of a snapshot and removes them when a frame clears them', () => {
    const open = openFromSnapshot({
      v: 1,
      seq: 9,
      counts: COUNTS,
      alarms: [alarm(1), alarm(2, { status: 'cleared' })],
    });
    expect([...open.keys()]).toEqual([1]);
    applyAlarms(open, [alarm(1, { status: 'cleared', seq: 10 }), alarm(3, { seq: 11 })]);
    expect([...open.keys()]).toEqual([3]);
  });

  it('never replaces a newer state with an older one', () => {
    const open = new Map([[1, alarm(1, { status: 'acknowledged', seq: 20 })]]);
    applyAlarms(open, [alarm(1, { status: 'open', seq: 15 })]);
    expect(open.get(1)!.status).toBe('acknowledged');
  });

  it('keeps the n most urgent', () => {
    const open = new Map([1, 2, 3, 4].map((id) => [id, alarm(id, { severity: id === 1 ? 2 : 1 })]));
    expect(mostUrgent(open, 2).map((a) => a.id)).toEqual([1, 4]);
  });

  it('applies chained frames, ignores old ones, resubscribes after a gap or a reset', () => {
    expect(decideAlarmFrame(null, { fromSeq: 1, seq: 2 })).toBe('ignore');
    expect(decideAlarmFrame(5, { fromSeq: 5, seq: 8 })).toBe('apply');
    expect(decideAlarmFrame(5, { fromSeq: 3, seq: 8 })).toBe('apply'); // read before our snapshot, newer after
    expect(decideAlarmFrame(5, { fromSeq: 2, seq: 4 })).toBe('ignore');
    expect(decideAlarmFrame(5, { fromSeq: 6, seq: 8 })).toBe('gap');
    expect(decideAlarmFrame(50, { fromSeq: 50, seq: 3 })).toBe('resync');
  });
});

type Handler = (...args: unknown[]) => void;

/** Just enough of a socket.io client socket, with several listeners per event as the page shares it. */
class FakeSocket {
  connected = false;
  handlers = new Map<string, Set<Handler>>();
  acks: ((err: Error | null, res: AlarmsSubscribeAck) => void)[] = [];
  on(event: string, h: Handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(h);
    return this;
  }
  off(event: string, h: Handler) {
    this.handlers.get(event)?.delete(h);
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
      emit: (_event: string, ack: (err: Error | null, res: AlarmsSubscribeAck) => void) =>
        this.acks.push(ack),
    };
  }
  fire(event: string, ...args: unknown[]) {
    for (const h of this.handlers.get(event) ?? []) h(...args);
  }
  serverConnect() {
    this.connected = true;
    this.fire('connect');
  }
  listeners() {
    return [...this.handlers.values()].reduce((n, s) => n + s.size, 0);
  }
}

function setup() {
  const socket = new FakeSocket();
  const stream = new AlarmStream({ connect: () => socket as unknown as StreamSocket, topSize: 2 });
  const events: AlarmEvent[] = [];
  stream.listen((e) => events.push(e));
  stream.start();
  const answer = (seq: number, alarms: AlarmFeedItem[], counts = COUNTS) =>
    socket.acks.shift()!(null, { ok: true, snapshot: { v: 1, seq, counts, alarms } });
  return { socket, stream, events, answer };
}

describe('AlarmStream', () => {
  it('subscribes on connect, then applies frames to the counts and the most urgent list', () => {
    const { socket, stream, events, answer } = setup();
    expect(socket.acks).toHaveLength(0);
    socket.serverConnect();
    expect(socket.acks).toHaveLength(1);
    answer(10, [alarm(1), alarm(2)], { open: 2, acknowledged: 0, critical: 0 });
    expect(stream.status).toBe('live');
    expect(stream.top.map((a) => a.id)).toEqual([2, 1]);
    expect(events).toEqual([{ kind: 'snapshot' }]);

    const acked = alarm(2, { status: 'acknowledged', acknowledgedBy: '王芳', seq: 11 });
    socket.fire('alarms:changed', frame(10, 11, [acked], { open: 1, acknowledged: 1, critical: 0 }));
    expect(stream.counts).toEqual({ open: 1, acknowledged: 1, critical: 0 });
    expect(stream.top.find((a) => a.id === 2)!.status).toBe('acknowledged');
    expect(events.at(-1)).toEqual({ kind: 'changed', alarms: [acked] });
    expect(stream.seq).toBe(11);
  });

  it('asks for a new snapshot after a gap, once, and after a reconnect', () => {
    const { socket, stream, answer } = setup();
    socket.serverConnect();
    answer(10, [alarm(1)]);
    socket.fire('alarms:changed', frame(12, 13, [alarm(3, { seq: 13 })]));
    socket.fire('alarms:changed', frame(13, 14, [alarm(4, { seq: 14 })]));
    expect(socket.acks).toHaveLength(1);
    expect(stream.status).toBe('resyncing');
    answer(14, [alarm(1), alarm(3, { seq: 13 }), alarm(4, { seq: 14 })]);
    expect(stream.seq).toBe(14);
    socket.connected = false;
    socket.fire('disconnect', 'transport close');
    socket.serverConnect();
    expect(socket.acks).toHaveLength(1);
  });

  it('leaves a shared socket connected and without its listeners when destroyed', () => {
    const { socket, stream } = setup();
    socket.serverConnect();
    stream.destroy();
    expect(socket.listeners()).toBe(0);
    expect(socket.connected).toBe(true);
  });
});
