// The device-ingest benchmark's load generator for the throughput runs: a minimal MQTT 3.1.1 QoS 1
// publisher over a plain TCP socket. mqtt.js spends ~50 µs of CPU per QoS 1 message (packet objects, a
// callback and a timer check each); at 20,000 readings/s that is a whole core the server and PostgreSQL
// need on a 2-core machine. Here every reading is one PUBLISH packet encoded once, before the run, into one
// buffer per client; at send time only the device timestamp (13 ASCII digits) and the packet id are patched
// in place and a run of consecutive packets goes out in one socket write. It is still real MQTT on the
// wire: one message per reading on the sensor's own topic, acknowledged by the broker with a PUBACK.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A reading to publish: the sensor's topic and its values as JSON. */
export interface RawReading {
  /** citynerve/<district>/<family>/<code>/reading */
  topic: string;
  /** The values object as JSON text. */
  values: string;
}

/** Readings encoded as consecutive PUBLISH packets in one buffer. */
export interface PreparedReadings {
  /** All packets, back to back. */
  buf: Buffer;
  /** Byte offset of packet i; `starts[count]` is the end. */
  starts: Uint32Array;
  /** Byte offset of packet i's 13-digit timestamp. */
  tsAt: Uint32Array;
  /** Byte offset of packet i's packet id. */
  idAt: Uint32Array;
  /** Number of packets. */
  count: number;
}

const TS_DIGITS = 13; // Date.now() has 13 digits until the year 2286
const PAYLOAD_HEAD = Buffer.from('{"ts":');
const PAYLOAD_MID = Buffer.from(',"values":');

/** MQTT's variable-length "remaining length". */
function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/**
 * Encodes each reading as a QoS 1 PUBLISH with payload `{"ts":<13 digits>,"values":<values>}` (the same
 * payload the mqtt.js publishers send), leaving ts and packet id to be filled in at send time.
 */
export function prepareReadings(items: readonly RawReading[]): PreparedReadings {
  const parts = items.map((it) => {
    const topic = Buffer.from(it.topic);
    const values = Buffer.from(it.values);
    const payloadLen = PAYLOAD_HEAD.length + TS_DIGITS + PAYLOAD_MID.length + values.length + 1;
    const remaining = 2 + topic.length + 2 + payloadLen;
    const rl = remainingLength(remaining);
    return { topic, values, rl, size: 1 + rl.length + remaining };
  });
  const total = parts.reduce((a, p) => a + p.size, 0);
  const buf = Buffer.alloc(total);
  const starts = new Uint32Array(items.length + 1);
  const tsAt = new Uint32Array(items.length);
  const idAt = new Uint32Array(items.length);
  let at = 0;
  parts.forEach((p, i) => {
    starts[i] = at;
    buf[at++] = 0x32; // PUBLISH, QoS 1
    for (const b of p.rl) buf[at++] = b;
    at = buf.writeUInt16BE(p.topic.length, at);
    at += p.topic.copy(buf, at);
    idAt[i] = at;
    at += 2;
    at += PAYLOAD_HEAD.copy(buf, at);
    tsAt[i] = at;
    at += TS_DIGITS;
    at += PAYLOAD_MID.copy(buf, at);
    at += p.values.copy(buf, at);
    buf[at++] = 0x7d; // }
  });
  starts[items.length] = at;
  return { buf, starts, tsAt, idAt, count: items.length };
}

/** CONNECT, MQTT 3.1.1, clean session, the given keep-alive. */
function connectPacket(clientId: string, keepAliveS: number): Buffer {
  const id = Buffer.from(clientId);
  const variable = Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, keepAliveS >> 8, keepAliveS & 0xff]);
  const remaining = variable.length + 2 + id.length;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(id.length);
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(remaining)]), variable, len, id]);
}

const KEEP_ALIVE_S = 60;
const PINGREQ = Buffer.from([0xc0, 0]);
const DISCONNECT = Buffer.from([0xe0, 0]);

/** One publisher connection. `sent` and `acked` count messages since connect. */
export class RawPublisher {
  /** PUBLISH packets written. */
  sent = 0;
  /** PUBACKs received. */
  acked = 0;
  private rest: Buffer | null = null;
  private lastTs = 0;
  private onAck: (() => void) | null = null;
  private failure: Error | null = null;
  private readonly ping: NodeJS.Timeout;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('the broker closed the connection')));
    this.ping = setInterval(() => socket.write(PINGREQ), (KEEP_ALIVE_S * 1000) / 2);
    this.ping.unref();
  }

  /** Connects to `url` (mqtt://host:port) and waits for the CONNACK. */
  static async connect(url: string, clientId: string): Promise<RawPublisher> {
    const u = new URL(url);
    const socket = connect(Number(u.port || 1883), u.hostname);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no CONNACK from ${url} within 10 s`)), 10_000);
      let got = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length < 4) return;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
        if (got[0] !== 0x20 || got[3] !== 0) reject(new Error(`broker refused the connection (${got[3]})`));
        else resolve();
      };
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.on('data', onData);
      socket.once('error', onError);
      socket.once('connect', () => socket.write(connectPacket(clientId, KEEP_ALIVE_S)));
    });
    return new RawPublisher(socket);
  }

  /**
   * Publishes every prepared reading, at most `window` unacknowledged and only while `mayPublish()`
   * (flow control against what the server has stored). ts is the time of the write. Resolves at the last
   * PUBACK with its time (performance.now()).
   */
  publishAll(
    r: PreparedReadings,
    window: number,
    mayPublish: () => boolean,
    deadline: number,
  ): Promise<number> {
    const base = this.acked;
    let next = 0;
    let timer: NodeJS.Timeout | null = null;
    return new Promise<number>((resolve, reject) => {
      const finish = (err: Error | null) => {
        this.onAck = null;
        if (timer) clearTimeout(timer);
        if (err) reject(err);
        else resolve(performance.now());
      };
      const fill = () => {
        timer = null;
        if (this.failure) return finish(this.failure);
        if (this.acked - base >= r.count) return finish(null);
        if (Date.now() > deadline) return finish(new Error('publishing took longer than allowed'));
        const first = next;
        let stamp: Buffer | null = null;
        while (next < r.count && this.sent - this.acked < window && mayPublish()) {
          if (!stamp) {
            // Strictly increasing per connection: two writes in one millisecond would otherwise give a
            // sensor that comes up in both the same ts twice, and the second reading is then a duplicate.
            this.lastTs = Math.max(Date.now(), this.lastTs + 1);
            stamp = Buffer.from(String(this.lastTs));
          }
          stamp.copy(r.buf, r.tsAt[next]);
          r.buf.writeUInt16BE((this.sent % 65535) + 1, r.idAt[next]);
          this.sent++;
          next++;
        }
        if (next > first) this.socket.write(r.buf.subarray(r.starts[first], r.starts[next]));
        // Held back by mayPublish (not by the window): look again shortly, acks may not come.
        if (next < r.count && this.sent - this.acked < window && !timer) timer = setTimeout(fill, 5);
      };
      this.onAck = fill;
      fill();
    });
  }

  /** Sends DISCONNECT and closes the socket. */
  async end(): Promise<void> {
    clearInterval(this.ping);
    this.onAck = null;
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end(DISCONNECT);
      setTimeout(() => this.socket.destroy(), 2000).unref();
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.onAck?.();
  }

  /** Counts PUBACKs (0x40, 2 bytes) in the stream; skips anything else (PINGRESP). */
  private read(chunk: Buffer): void {
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let at = 0;
    let acks = 0;
    while (at < data.length) {
      // Fixed header: type byte, remaining length (1-4 bytes).
      let len = 0;
      let mul = 1;
      let i = at + 1;
      let complete = false;
      while (i < data.length && i < at + 5) {
        const b = data[i++];
        len += (b & 0x7f) * mul;
        mul *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || i + len > data.length) break;
      if (data[at] >> 4 === 4) acks++;
      at = i + len;
    }
    if (at < data.length) this.rest = Buffer.from(data.subarray(at));
    if (acks > 0) {
      this.acked += acks;
      this.onAck?.();
    }
  }
}
