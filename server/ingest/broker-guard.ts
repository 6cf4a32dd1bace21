// The embedded broker's packet size limit. aedes (and the mqtt-packet parser under it) has no maximum packet
// size: it would buffer a 256 MB PUBLISH whole before anyone could refuse it. Each device connection goes
// through a PacketGuard first, which follows the MQTT fixed headers as the bytes pass and closes the
// connection as soon as a header announces a packet above the limit — before its body is read — reporting
// the topic (when the first chunk holds it) so the refusal is counted as a dead letter.
import { Duplex } from 'node:stream';

/** What the guard saw of a packet it refused. */
export interface OversizePacket {
  /** The PUBLISH's topic, when it arrived with the header (null otherwise, or for another packet type). */
  topic: string | null;
  /** The packet's declared remaining length, bytes. */
  bytes: number;
  /** The first payload bytes that arrived with the header (at most 4096). */
  head: Buffer;
}

/**
 * Follows packet boundaries through a byte stream without buffering bodies. `push` returns the first
 * oversize packet it finds (the stream is to be closed then), or null.
 */
export class PacketLengthTracker {
  /** Body bytes of the current packet still to pass. */
  private body = 0;
  /** Fixed-header bytes of the next packet read so far (type byte and up to 4 length bytes). */
  private header: number[] = [];

  constructor(private readonly maxPacketBytes: number) {}

  push(chunk: Buffer): OversizePacket | null {
    let at = 0;
    while (at < chunk.length) {
      if (this.body > 0) {
        const n = Math.min(this.body, chunk.length - at);
        this.body -= n;
        at += n;
        continue;
      }
      this.header.push(chunk[at++]);
      if (this.header.length === 1) continue;
      const last = this.header[this.header.length - 1];
      if (last & 0x80 && this.header.length < 5) continue;
      // A fifth length byte with its continuation bit is not MQTT: let aedes refuse it.
      let len = 0;
      for (let i = this.header.length - 1; i >= 1; i--) len = len * 128 + (this.header[i] & 0x7f);
      const first = this.header[0];
      this.header = [];
      if (len > this.maxPacketBytes) return { ...this.described(first, chunk, at), bytes: len };
      this.body = len;
    }
    return null;
  }

  /** The topic and first payload bytes of a refused PUBLISH, as far as this chunk holds them. */
  private described(first: number, chunk: Buffer, at: number): { topic: string | null; head: Buffer } {
    if (first >> 4 !== 3 || at + 2 > chunk.length) return { topic: null, head: Buffer.alloc(0) };
    const topicEnd = at + 2 + chunk.readUInt16BE(at);
    if (topicEnd > chunk.length) return { topic: null, head: Buffer.alloc(0) };
    // QoS 1/2 carry a packet id after the topic (MQTT 3.1.1: the embedded broker speaks 3.1.1 and 5; a
    // v5 property block may lead the payload head, which is only kept for the operator to look at).
    const qos = (first >> 1) & 3;
    const payloadAt = topicEnd + (qos > 0 ? 2 : 0);
    return {
      topic: chunk.toString('utf8', at + 2, topicEnd),
      head: Buffer.from(chunk.subarray(Math.min(payloadAt, chunk.length), payloadAt + 4096)),
    };
  }
}

/** A device connection as aedes sees it: the same bytes, closed at the first oversize packet. */
export class PacketGuard extends Duplex {
  private readonly tracker: PacketLengthTracker;

  constructor(
    private readonly socket: Duplex,
    maxPacketBytes: number,
    onOversize: (p: OversizePacket) => void,
  ) {
    super({ allowHalfOpen: false });
    this.tracker = new PacketLengthTracker(maxPacketBytes);
    socket.on('data', (chunk: Buffer) => {
      const refused = this.tracker.push(chunk);
      if (refused) {
        onOversize(refused);
        socket.destroy();
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.socket.destroyed) return done();
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
