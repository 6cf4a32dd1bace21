// MQTT device ingest: one mqtt.js client per node subscribes to citynerve/+/+/+/reading (through a shared
// subscription on an external broker, so N nodes split the load) and hands every message to the pipeline.
// A QoS 1 message is acknowledged (PUBACK) only after the batch holding it committed; until then the
// broker keeps it and redelivers it after a reconnect, and redelivery is harmless (not newer = duplicate).
//
// PUBLISH packets take a fast lane (mqtt-wire.ts): they are read off the connection before mqtt.js, which
// keeps the connection itself (connect, subscribe, keep-alive, reconnect). The messages of one event-loop
// turn go to the pipeline as one submit(), and their PUBACKs leave in one socket write on the connection
// they came in on. Backpressure: while MQTT_MAX_INFLIGHT messages await storage or the pipeline is
// saturated (database down), the socket is not read, TCP fills up and the broker queues for us.
//
// Leaving a shared group: Mosquitto keeps handing a disconnected member with a persistent session its
// round-robin share (queued for it, dropped beyond max_queued_messages), so stop() unsubscribes from the
// group before disconnecting, and the other nodes take the whole load at once. Messages the broker had
// already given this node stay in its session and come back when it restarts under the same client id.
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { isRejection, parseTopic, parseReadingPayload } from '../domain/ingest';
import type { Logger } from '../log';
import { OVERSIZE_HEAD_BYTES, TappedStream } from './mqtt-wire';
import type { IngestItem, IngestPipeline } from './pipeline';

/** The topic filter every node subscribes to (district / family / sensor code). */
export const READING_TOPIC_FILTER = 'citynerve/+/+/+/reading';

/** Settings of the MQTT ingest client. */
export interface MqttIngestOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  url: string;
  /** Shared-subscription group; empty, or an embedded broker, means a plain subscription. */
  sharedGroup: string;
  /** True for the embedded aedes broker (MQTT 3.1.1, no shared subscriptions). */
  embedded: boolean;
  /** Client id; stable across restarts so the broker keeps unacknowledged messages for us. */
  clientId?: string;
  /** Keep the session (and its unacknowledged messages) across reconnects (default true). */
  persistentSession?: boolean;
  /** Most messages awaiting storage at once (MQTT 5 receiveMaximum and our own read gate). */
  maxInflight: number;
  /** Largest accepted payload, bytes. */
  maxMessageBytes: number;
  /** How far a device clock may run ahead of ours, ms. */
  maxFutureSkewMs: number;
  log: Logger;
  /** Clock (tests pass their own). */
  now?: () => Date;
}

/** Counters of the MQTT client. */
export interface MqttIngestStats {
  /** Connected to the broker now. */
  connected: boolean;
  /** The filter actually subscribed (shows whether the shared subscription is in use). */
  subscription: string | null;
  /** Messages received. */
  received: number;
  /** PUBACKs sent after storage. */
  acked: number;
  /** Messages received and not yet stored. */
  inflight: number;
  /** Stored messages whose PUBACK was not sent because the connection had changed (the broker redelivers). */
  staleAcks: number;
}

/** How long the broker keeps a disconnected node's session (and its unacknowledged messages), s. */
const SESSION_EXPIRY_S = 3600;

/** How mqtt.js builds the connection of each (re)connect (a private field we wrap for the fast lane). */
type StreamBuilder = (client: MqttClient, opts?: IClientOptions) => Duplex;
/** MQTT 5 DISCONNECT reason: another connection took over this client id's session. */
const SESSION_TAKEN_OVER = 0x8e;
/** Longest wait in stop() for the broker's UNSUBACK and for messages in flight to settle, ms. */
const STOP_WAIT_MS = 5000;

/** One received message waiting for its batch. */
interface Received {
  item: IngestItem;
  /** Its place in the PUBACK order; null for QoS 0. */
  ack: AckEntry | null;
}

interface AckEntry {
  messageId: number;
  /** The connection it came in on; its PUBACK goes there or nowhere. */
  via: TappedStream;
  done: 'stored' | 'dropped' | null;
}

/** `p`, or a rejection after `ms`. */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export class MqttIngest {
  private client: MqttClient | null = null;
  /** Set by stop(): take no further message (they stay unacknowledged in this node's session). */
  private stopping = false;
  /** Connections not being read (backpressure) until the gate opens. */
  private held: TappedStream[] = [];
  /**
   * QoS 1 messages in arrival order. With several pipeline writers a later message can be stored first;
   * MQTT wants PUBACKs in the order the PUBLISHes came, so each waits for those before it.
   */
  private ackOrder: AckEntry[] = [];
  /** Messages of the current event-loop turn, submitted together by flushReceived(). */
  private received: Received[] = [];
  private flushScheduled = false;
  /** The time for this turn's messages (cleared when they are handed over). */
  private turnNow: Date | null = null;
  private ackHead = 0;
  private poll: NodeJS.Timeout | null = null;
  private readonly counters: MqttIngestStats = {
    connected: false,
    subscription: null,
    received: 0,
    acked: 0,
    inflight: 0,
    staleAcks: 0,
  };
  private readonly now: () => Date;

  constructor(
    private readonly pipeline: IngestPipeline,
    private readonly opts: MqttIngestOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** Counters since start (a copy). */
  stats(): MqttIngestStats {
    return { ...this.counters };
  }

  /** Connects and subscribes; resolves after the first subscription was granted. */
  async start(): Promise<void> {
    const o = this.opts;
    const v5 = !o.embedded;
    const persistent = o.persistentSession ?? true;
    // MQTT 5: clean start alone does not end a session, its expiry does. A session left behind keeps its
    // shared-subscription membership, and the broker would keep routing messages to it.
    const options: IClientOptions = {
      clientId: o.clientId ?? `citynerve-${hostname()}`,
      clean: !persistent,
      protocolVersion: v5 ? 5 : 4,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(v5
        ? {
            properties: {
              receiveMaximum: Math.min(o.maxInflight, 65535),
              sessionExpiryInterval: persistent ? SESSION_EXPIRY_S : 0,
            },
          }
        : {}),
    };
    const client = mqtt.connect(o.url, { ...options, manualConnect: true });
    this.client = client;
    // Every (re)connect's stream goes through the fast lane, which is also what holds PUBACKs back until
    // the messages are stored: without it mqtt.js would acknowledge on receipt, so refuse to run at all.
    const internals = client as unknown as { streamBuilder?: StreamBuilder };
    const build = internals.streamBuilder;
    if (typeof build !== 'function') {
      client.end(true);
      throw new Error(
        'This mqtt.js version does not build its streams as CityNerve expects (see mqtt-wire.ts)',
      );
    }
    internals.streamBuilder = (c, opts) => {
      const tap: TappedStream = new TappedStream(
        build(c, opts),
        v5,
        (buf, topic, qos, messageId, from, to, size) =>
          this.onPublish(tap, buf, topic, qos, messageId, from, to, size),
        (t) => this.afterChunk(t),
        o.maxMessageBytes + OVERSIZE_HEAD_BYTES,
      );
      return tap;
    };
    client.handleMessage = (packet, callback) => this.onMessage(packet as IPublishPacket, callback);
    client.connect();
    client.on('connect', (connack) => {
      this.counters.connected = true;
      o.log.info('mqtt ingest connected', { url: o.url, sessionPresent: connack.sessionPresent });
    });
    client.on('close', () => {
      if (this.counters.connected) o.log.warn('mqtt ingest disconnected', { url: o.url });
      this.counters.connected = false;
    });
    client.on('error', (err) => o.log.warn('mqtt ingest error', { url: o.url, error: err.message }));
    client.on('disconnect', (packet) => {
      // Two nodes with one client id throw each other off the broker in turn, each losing its in-flight.
      if (packet.reasonCode === SESSION_TAKEN_OVER) {
        o.log.error(
          'another MQTT client connected with this client id: give every node its own MQTT_CLIENT_ID',
          {
            clientId: options.clientId,
          },
        );
      }
    });

    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        client.end(true);
        reject(new Error(`Cannot connect to the MQTT broker at ${o.url}: ${err.message}`));
      };
      const timer = setTimeout(() => fail(new Error('no answer within 10 s')), 10_000);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('error', (err) => {
        clearTimeout(timer);
        fail(err);
      });
    });
    await this.subscribe(client);
    // A persistent session keeps the subscription; after a clean reconnect it must be made again.
    client.on('connect', (connack) => {
      if (!connack.sessionPresent) {
        this.subscribe(client).catch((err: Error) =>
          o.log.error('mqtt ingest cannot resubscribe', { error: err.message }),
        );
      }
    });
  }

  /**
   * Leaves the shared group, stops reading, lets the messages in flight settle (stored and acknowledged
   * while the pipeline still takes them), then disconnects. Messages not stored stay unacknowledged in this
   * node's session and the broker redelivers them when it connects again with the same client id.
   */
  async stop(): Promise<void> {
    const c = this.client;
    if (c?.connected) {
      const filter = this.counters.subscription;
      if (filter?.startsWith('$share/')) {
        try {
          await withDeadline(c.unsubscribeAsync(filter), STOP_WAIT_MS);
        } catch (err) {
          this.opts.log.warn('mqtt ingest could not leave the shared group before stopping', {
            error: (err as Error).message,
          });
        }
      }
      // From here on a PUBLISH is left unacknowledged in this node's session (see onPublish).
      this.stopping = true;
      await this.settled(STOP_WAIT_MS);
    }
    this.client = null;
    // A paused socket never sees the broker close it: let it flow so the disconnect can complete.
    for (const via of this.held.splice(0)) if (!via.destroyed) via.socket.resume();
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    if (c) await c.endAsync();
    this.counters.connected = false;
  }

  /** Resolves when no received message awaits storage, or after `ms`. */
  private async settled(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.counters.inflight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  private async subscribe(client: MqttClient): Promise<void> {
    const o = this.opts;
    const shared = !o.embedded && o.sharedGroup !== '';
    const filter = shared ? `$share/${o.sharedGroup}/${READING_TOPIC_FILTER}` : READING_TOPIC_FILTER;
    const granted = await client.subscribeAsync(filter, { qos: 1 });
    if (granted[0] && granted[0].qos >= 128) {
      if (!shared) throw new Error(`The MQTT broker refused the subscription to ${filter}`);
      o.log.warn('broker refused the shared subscription; subscribing without it (run one node only)', {
        filter,
      });
      await client.subscribeAsync(READING_TOPIC_FILTER, { qos: 1 });
      this.counters.subscription = READING_TOPIC_FILTER;
    } else {
      this.counters.subscription = filter;
    }
    o.log.info('mqtt ingest subscribed', { filter: this.counters.subscription });
  }

  /** A message as the pipeline takes it: a parsed reading, or a refusal that becomes a dead letter. */
  private toItem(topicName: string, payload: Uint8Array | string): IngestItem {
    const o = this.opts;
    // The bytes themselves: decoded for a dead letter only (most messages never become one).
    const envelope = { channel: 'mqtt' as const, source: topicName, payload };
    const topic = parseTopic(topicName);
    if (isRejection(topic)) return { rejection: topic, envelope };
    // One clock reading per event-loop turn (the messages of a turn arrived within a few ms).
    const parsed = parseReadingPayload(payload, topic, (this.turnNow ??= this.now()), {
      maxBytes: o.maxMessageBytes,
      maxFutureSkewMs: o.maxFutureSkewMs,
    });
    if (isRejection(parsed)) return { rejection: { ...parsed, sensorCode: topic.sensorCode }, envelope };
    return { reading: parsed, envelope };
  }

  /** A message refused by its declared size before its payload was read: the first bytes kept. */
  private oversizeItem(topicName: string, head: Uint8Array, size: number): IngestItem {
    const topic = parseTopic(topicName);
    const sensorCode = isRejection(topic) ? undefined : topic.sensorCode;
    const detail = `message has ${size} bytes; the limit is ${this.opts.maxMessageBytes}`;
    return {
      rejection:
        sensorCode === undefined
          ? { reason: 'oversize', detail }
          : { reason: 'oversize', detail, sensorCode },
      envelope: {
        channel: 'mqtt',
        source: topicName,
        payload: Buffer.from(head.subarray(0, 4096)),
        receivedBytes: size,
      },
    };
  }

  /** One PUBLISH from the fast lane; its payload is buf[from, to) of `size` bytes. */
  private onPublish(
    via: TappedStream,
    buf: Buffer,
    topic: string,
    qos: 0 | 1,
    messageId: number,
    from: number,
    to: number,
    size: number,
  ): void {
    // Stopping: not taken, not acknowledged; the broker hands it over again when this node comes back.
    if (this.stopping) return;
    this.counters.received++;
    this.counters.inflight++;
    const ack: AckEntry | null = qos === 1 ? { messageId, via, done: null } : null;
    if (ack) this.ackOrder.push(ack);
    let payload: Uint8Array | string;
    if (size > to - from) {
      // Only its head arrived in full (the rest is being skipped): refused by size, a copy of the head kept.
      this.received.push({ item: this.oversizeItem(topic, buf.subarray(from, to), size), ack });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushReceived());
      }
      return;
    }
    if (to - from > this.opts.maxMessageBytes) payload = buf.subarray(from, to);
    else {
      // Decoding in place spares a Buffer per message; invalid UTF-8 shows as U+FFFD, and such a
      // payload goes through the strict decoder, which refuses it by name.
      const text = buf.toString('utf8', from, to);
      payload = text.includes('\uFFFD') ? Buffer.from(buf.subarray(from, to)) : text;
    }
    this.received.push({ item: this.toItem(topic, payload), ack });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushReceived());
    }
  }

  /** After each read of the connection: stop reading while too much awaits storage. */
  private afterChunk(via: TappedStream): void {
    // While stopping, messages are left in the session anyway and the socket must flow to close.
    if (!this.stopping && this.blocked()) this.hold(via);
  }

  private hold(via: TappedStream): void {
    if (!this.held.includes(via)) {
      via.socket.pause();
      this.held.push(via);
    }
    // HTTP alone can saturate the pipeline while none of ours is in flight: look again now and then.
    this.poll ??= setInterval(() => this.openGate(), 50);
  }

  /**
   * A PUBLISH the fast lane left to mqtt.js: QoS 2, which a broker does not send on our QoS 1
   * subscription. Stored like the others, but mqtt.js answers it itself, right away.
   */
  private onMessage(packet: IPublishPacket, callback: (err?: Error) => void): void {
    if (this.stopping) return; // as in onPublish; without the callback mqtt.js reads no further
    this.counters.received++;
    this.counters.inflight++;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    this.received.push({ item: this.toItem(packet.topic, payload), ack: null });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushReceived());
    }
    callback();
  }

  /** Hands this turn's messages to the pipeline in one submit; PUBACKs follow when they are stored. */
  private flushReceived(): void {
    this.flushScheduled = false;
    this.turnNow = null;
    const batch = this.received;
    this.received = [];
    if (batch.length === 0) return;
    const items: IngestItem[] = new Array<IngestItem>(batch.length);
    for (let i = 0; i < batch.length; i++) items[i] = batch[i].item;
    void this.pipeline
      .submit(items)
      .then(() => {
        for (const r of batch) if (r.ack) r.ack.done = 'stored';
      })
      .catch((err: Error) => {
        // Only a closing pipeline rejects: the messages stay unacknowledged and the broker keeps them.
        for (const r of batch) if (r.ack) r.ack.done = 'dropped';
        this.opts.log.warn('mqtt messages not stored', { messages: batch.length, error: err.message });
      })
      .then(() => this.flushAcks())
      .finally(() => {
        this.counters.inflight -= batch.length;
        this.openGate();
      });
  }

  private blocked(): boolean {
    return this.stopping || this.counters.inflight >= this.opts.maxInflight || this.pipeline.saturated;
  }

  private openGate(): void {
    if (this.blocked()) return;
    for (const via of this.held.splice(0)) if (!via.destroyed) via.socket.resume();
    if (this.poll) {
      clearInterval(this.poll);
      this.poll = null;
    }
  }

  /**
   * Sends the PUBACKs of stored messages from the head of the arrival order, stopping at one still waiting.
   * MQTT wants them in the order the PUBLISHes came; with several pipeline writers a later message can be
   * stored first.
   */
  private flushAcks(): void {
    const q = this.ackOrder;
    let ids: number[] = [];
    let via: TappedStream | null = null;
    while (this.ackHead < q.length && q[this.ackHead].done !== null) {
      const e = q[this.ackHead++];
      if (e.done !== 'stored') continue;
      if (e.via !== via) {
        if (via && ids.length > 0) this.ack(via, ids);
        via = e.via;
        ids = [];
      }
      ids.push(e.messageId);
    }
    if (via && ids.length > 0) this.ack(via, ids);
    if (this.ackHead === q.length) {
      q.length = 0;
      this.ackHead = 0;
    } else if (this.ackHead > 4096) {
      q.splice(0, this.ackHead);
      this.ackHead = 0;
    }
  }

  /**
   * Writes PUBACKs in one go onto the connection the messages came in on: 4 bytes each (type, length 2,
   * packet id; MQTT 5 allows leaving out the reason code on success). A PUBACK on a newer connection would
   * acknowledge whatever now carries that id, so the acks of a closed one are left to redelivery.
   */
  private ack(via: TappedStream, messageIds: readonly number[]): void {
    if (!via.open) {
      this.counters.staleAcks += messageIds.length;
      return;
    }
    const buf = Buffer.allocUnsafe(messageIds.length * 4);
    for (let i = 0; i < messageIds.length; i++) {
      buf[i * 4] = 0x40;
      buf[i * 4 + 1] = 2;
      buf.writeUInt16BE(messageIds[i], i * 4 + 2);
    }
    via.socket.write(buf);
    this.counters.acked += messageIds.length;
  }
}
