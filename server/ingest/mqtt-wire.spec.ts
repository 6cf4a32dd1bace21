// The fast lane's packet reader against hand-built MQTT 3.1.1 and 5 byte streams, cut at every byte.
import { describe, expect, it } from 'vitest';
import { FrameReader, OVERSIZE_HEAD_BYTES } from './mqtt-wire';

/** MQTT's variable-length integer. */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function publish(
  topic: string,
  payload: string,
  o: { qos: number; id?: number; v5?: boolean; props?: number[] },
) {
  const t = Buffer.from(topic);
  const body = [
    ...[t.length >> 8, t.length & 0xff],
    ...t,
    ...(o.qos > 0 ? [(o.id ?? 1) >> 8, (o.id ?? 1) & 0xff] : []),
    ...(o.v5 ? [...varint((o.props ?? []).length), ...(o.props ?? [])] : []),
    ...Buffer.from(payload),
  ];
  return Buffer.from([0x30 | (o.qos << 1), ...varint(body.length), ...body]);
}

const CONNACK = Buffer.from([0x20, 2, 0, 0]);
const SUBACK = Buffer.from([0x90, 3, 0, 1, 1]);
const PINGRESP = Buffer.from([0xd0, 0]);

interface Seen {
  topic: string;
  qos: number;
  id: number;
  payload: string;
}

function reader(v5: boolean) {
  const seen: Seen[] = [];
  const r = new FrameReader(v5, (buf, topic, qos, id, from, to) =>
    seen.push({ topic, qos, id, payload: buf.toString('utf8', from, to) }),
  );
  return { r, seen };
}

/** Feeds `stream` in pieces of `size` bytes; returns what was passed on to mqtt.js. */
function feed(r: FrameReader, stream: Buffer, size: number): Buffer {
  const others: Buffer[] = [];
  for (let at = 0; at < stream.length; at += size) {
    const out = r.read(stream.subarray(at, at + size));
    if (out) others.push(Buffer.from(out));
  }
  return Buffer.concat(others);
}

describe('MQTT fast-lane reader', () => {
  const long = `{"ts":1795789991408,"values":{"level_cm":${'9'.repeat(200)}}}`; // 2-byte remaining length
  for (const v5 of [false, true]) {
    it(`takes QoS 0/1 PUBLISH packets and passes everything else on, however the stream is cut (MQTT ${v5 ? 5 : '3.1.1'})`, () => {
      const stream = Buffer.concat([
        CONNACK,
        publish('citynerve/jingan/drain/DR-1/reading', '{"a":1}', { qos: 1, id: 7, v5 }),
        SUBACK,
        publish('citynerve/jingan/drain/DR-2/reading', long, { qos: 0, v5, props: v5 ? [0x01, 1] : [] }),
        publish('citynerve/jingan/drain/DR-3/reading', '{"q":2}', { qos: 2, id: 9, v5 }), // left to mqtt.js
        PINGRESP,
        publish('城市/路灯', '{"b":"二"}', { qos: 1, id: 65535, v5 }),
      ]);
      const qos2 = publish('citynerve/jingan/drain/DR-3/reading', '{"q":2}', { qos: 2, id: 9, v5 });
      for (const size of [1, 2, 3, 7, 64, stream.length]) {
        const { r, seen } = reader(v5);
        const others = feed(r, stream, size);
        expect(seen).toEqual([
          { topic: 'citynerve/jingan/drain/DR-1/reading', qos: 1, id: 7, payload: '{"a":1}' },
          { topic: 'citynerve/jingan/drain/DR-2/reading', qos: 0, id: 0, payload: long },
          { topic: '城市/路灯', qos: 1, id: 65535, payload: '{"b":"二"}' },
        ]);
        expect(others).toEqual(Buffer.concat([CONNACK, SUBACK, qos2, PINGRESP]));
      }
    });
  }

  it('leaves a PUBLISH with a topic alias (empty topic) to mqtt.js', () => {
    const { r, seen } = reader(true);
    const aliased = publish('', '{}', { qos: 1, id: 3, v5: true, props: [0x23, 0, 1] });
    expect(r.read(aliased)).toEqual(aliased);
    expect(seen).toEqual([]);
  });

  it('hands a stream with a malformed length to mqtt.js from there on, which drops the connection', () => {
    const { r, seen } = reader(false);
    const bad = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0]);
    const ok = publish('a/b', '{}', { qos: 0 });
    expect(r.read(Buffer.concat([ok, bad]))).toEqual(bad);
    expect(r.read(ok)).toEqual(ok);
    expect(seen).toHaveLength(1);
  });

  it('leaves a PUBLISH whose declared topic runs past the packet to mqtt.js', () => {
    const { r, seen } = reader(false);
    const broken = Buffer.from([0x32, 4, 0, 50, 0x61, 0x62]);
    expect(r.read(broken)).toEqual(broken);
    expect(seen).toEqual([]);
  });

  it('hands over only the head of a 5 MB PUBLISH with its declared size, skips the rest unbuffered, and reads on', () => {
    const limit = 16_384 + OVERSIZE_HEAD_BYTES;
    const heads: { topic: string; id: number; kept: number; size: number }[] = [];
    const payloads: string[] = [];
    const r = new FrameReader(
      false,
      (buf, topic, _qos, id, from, to, size) => {
        if (size > to - from) heads.push({ topic, id, kept: to - from, size });
        else payloads.push(buf.toString('utf8', from, to));
      },
      limit,
    );
    const big = publish('citynerve/jingan/drain/DR-9/reading', 'x'.repeat(5 * 1_048_576), { qos: 1, id: 42 });
    const after = publish('citynerve/jingan/drain/DR-1/reading', '{"a":1}', { qos: 1, id: 43 });
    const stream = Buffer.concat([big, after]);
    let largestHeld = 0;
    const others: Buffer[] = [];
    for (let at = 0; at < stream.length; at += 65_536) {
      const out = r.read(stream.subarray(at, at + 65_536));
      if (out) others.push(out);
      largestHeld = Math.max(largestHeld, (r as unknown as { rest: Buffer | null }).rest?.length ?? 0);
    }
    expect(heads).toEqual([
      { topic: 'citynerve/jingan/drain/DR-9/reading', id: 42, kept: expect.any(Number), size: 5 * 1_048_576 },
    ]);
    expect(heads[0].kept).toBeLessThan(2 * OVERSIZE_HEAD_BYTES);
    expect(largestHeld).toBeLessThan(2 * OVERSIZE_HEAD_BYTES); // never the whole 5 MB
    expect(payloads).toEqual(['{"a":1}']);
    expect(others).toEqual([]);
  });
});
