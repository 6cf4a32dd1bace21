// The MQTT ingest client's fast lane: PUBLISH packets are read straight off the broker connection, before
// mqtt.js sees them. mqtt.js builds a packet object per message, copies each through a buffer list and
// calls a debug logger several times; at 20,000 readings/s that was a fifth of the server's CPU. Here a
// PUBLISH (QoS 0 or 1, MQTT 3.1.1 or 5) costs a header decode and its topic string; its payload stays in
// the chunk it arrived in. Every other packet (CONNACK, SUBACK, PINGRESP, DISCONNECT, a QoS 2 PUBLISH,
// anything malformed) goes on to mqtt.js unchanged, which keeps connecting, subscribing, keep-alive and
// reconnecting.
import { Duplex } from 'node:stream';

/**
 * Called for every QoS 0/1 PUBLISH; the payload is buf[payloadStart, payloadEnd). `payloadBytes` is the
 * payload's declared size: larger than payloadEnd - payloadStart when only the head of an oversize packet
 * was kept (the rest is skipped as it arrives, never buffered).
 */
export type PublishHandler = (
  buf: Buffer,
  topic: string,
  qos: 0 | 1,
  messageId: number,
  payloadStart: number,
  payloadEnd: number,
  payloadBytes: number,
) => void;

const PUBLISH = 3;
/**
 * Of a PUBLISH larger than the reader's limit only this much is buffered before it is handed over: room for
 * the longest topic (65,535 bytes), properties and the payload's first bytes for the dead letter.
 */
export const OVERSIZE_HEAD_BYTES = 70_000;

/**
 * Splits a byte stream into MQTT packets. PUBLISH packets of QoS 0 and 1 go to `onPublish`; the bytes of
 * all other packets are handed back, in order, for mqtt.js.
 */
export class FrameReader {
  private rest: Buffer | null = null;
  /** After a malformed header nothing is parsed any more: mqtt.js gets the bytes and drops the connection. */
  private passThrough = false;
  /** Bytes of an oversize PUBLISH still to come, dropped as they arrive. */
  private skip = 0;

  constructor(
    private readonly v5: boolean,
    private readonly onPublish: PublishHandler,
    /**
     * A PUBLISH whose remaining length is above this is not buffered whole: its head goes to onPublish
     * (with the declared size) once OVERSIZE_HEAD_BYTES of it are in, the rest is skipped. Memory per
     * connection stays bounded whatever a device or broker sends (MQTT allows 256 MB).
     */
    private readonly maxPacketBytes = Infinity,
  ) {}

  /** Reads one chunk; returns the bytes that are not fast-lane PUBLISH packets (null when none). */
  read(chunk: Buffer): Buffer | null {
    if (this.passThrough) return chunk;
    if (this.skip > 0) {
      if (chunk.length <= this.skip) {
        this.skip -= chunk.length;
        return null;
      }
      chunk = chunk.subarray(this.skip);
      this.skip = 0;
    }
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let others: Buffer[] | null = null;
    let at = 0;
    while (at < buf.length) {
      // Fixed header: type and flags, then the remaining length in 1-4 bytes of 7 bits.
      let len = 0;
      let mul = 1;
      let i = at + 1;
      let complete = false;
      while (i < buf.length && i < at + 5) {
        const b = buf[i++];
        len += (b & 0x7f) * mul;
        mul *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (i >= at + 5) {
          // Five length bytes: not MQTT. Let mqtt.js say so.
          this.passThrough = true;
          (others ??= []).push(buf.subarray(at));
          at = buf.length;
        }
        break;
      }
      const end = i + len;
      const head = buf[at];
      if (end > buf.length) {
        // An oversize PUBLISH: hand over its head now and drop the rest as it comes.
        if (
          len > this.maxPacketBytes &&
          buf.length - i >= OVERSIZE_HEAD_BYTES &&
          head >> 4 === PUBLISH &&
          this.publish(buf, head, i, buf.length, end)
        ) {
          this.skip = end - buf.length;
          at = buf.length;
        }
        break;
      }
      if (head >> 4 !== PUBLISH || !this.publish(buf, head, i, end, end)) {
        (others ??= []).push(buf.subarray(at, end));
      }
      at = end;
    }
    if (at < buf.length) this.rest = Buffer.from(buf.subarray(at));
    if (!others) return null;
    return others.length === 1 ? others[0] : Buffer.concat(others);
  }

  /**
   * Decodes one PUBLISH of QoS 0/1 at buf[from, end) (the packet's first bytes when `packetEnd` lies
   * beyond); false leaves it to mqtt.js.
   */
  private publish(buf: Buffer, head: number, from: number, end: number, packetEnd: number): boolean {
    const qos = (head >> 1) & 3;
    if (qos > 1 || from + 2 > end) return false;
    const topicLen = buf.readUInt16BE(from);
    const topicEnd = from + 2 + topicLen;
    let at = topicEnd;
    let messageId = 0;
    if (qos === 1) {
      if (at + 2 > end) return false;
      messageId = buf.readUInt16BE(at);
      at += 2;
    }
    if (this.v5) {
      // Properties: skipped (a topic alias would need its mapping; we never allow the broker to use one).
      let len = 0;
      let mul = 1;
      for (let n = 0; ; n++) {
        if (at >= end || n === 4) return false;
        const b = buf[at++];
        len += (b & 0x7f) * mul;
        mul *= 128;
        if ((b & 0x80) === 0) break;
      }
      at += len;
      if (at > end) return false;
    }
    if (topicLen === 0 || topicEnd > end) return false;
    const topic = buf.toString('utf8', from + 2, topicEnd);
    this.onPublish(buf, topic, qos as 0 | 1, messageId, at, end, packetEnd - at);
    return true;
  }
}

/**
 * The broker connection as mqtt.js sees it: writes go to the socket, reads come through a FrameReader,
 * so mqtt.js receives everything but the fast-lane PUBLISH packets. `socket` stays reachable for the
 * PUBACKs we write ourselves, and pause()/resume() of the socket is our backpressure.
 */
export class TappedStream extends Duplex {
  private readonly reader: FrameReader;

  constructor(
    readonly socket: Duplex,
    v5: boolean,
    onPublish: PublishHandler,
    /** Called after each chunk's PUBLISH packets were handed over (end of one read). */
    onChunk: (tap: TappedStream) => void,
    /** See FrameReader: larger PUBLISH packets are not buffered whole. */
    maxPacketBytes = Infinity,
  ) {
    super({ allowHalfOpen: false });
    this.reader = new FrameReader(v5, onPublish, maxPacketBytes);
    socket.on('data', (chunk: Buffer) => {
      const others = this.reader.read(chunk);
      if (others) this.push(others);
      onChunk(this);
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  /** True while the connection can still carry our PUBACKs. */
  get open(): boolean {
    return !this.destroyed && !this.socket.destroyed && this.socket.writable;
  }

  override _read(): void {
    // Reading is driven by the socket's 'data' events; mqtt.js's packets are few and small.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.socket.write(chunk)) done();
    else this.socket.once('drain', () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    this.socket.end(() => done());
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (!this.socket.destroyed) this.socket.destroy(err ?? undefined);
    done(err);
  }
}
