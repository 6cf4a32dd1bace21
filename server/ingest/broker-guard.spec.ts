// The embedded broker's size guard against hand-built MQTT byte streams, cut in every way.
import { describe, expect, it } from 'vitest';
import { PacketLengthTracker } from './broker-guard';

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

/** A PUBLISH's fixed header, topic and packet id, announcing `payloadBytes` of payload (not included). */
function publishHead(topic: string, payloadBytes: number, qos = 1): Buffer {
  const t = Buffer.from(topic);
  const rest = [t.length >> 8, t.length & 0xff, ...t, ...(qos ? [0, 7] : [])];
  return Buffer.from([0x30 | (qos << 1), ...varint(rest.length + payloadBytes), ...rest]);
}

const small = (payload: string) => Buffer.concat([publishHead('a/b', payload.length), Buffer.from(payload)]);

describe('embedded broker packet guard', () => {
  it('lets packets within the limit through, however the stream is cut', () => {
    const stream = Buffer.concat([small('{"x":1}'), Buffer.from([0xc0, 0]), small('y'.repeat(300))]);
    for (const size of [1, 2, 5, 64, stream.length]) {
      const t = new PacketLengthTracker(1000);
      for (let at = 0; at < stream.length; at += size) {
        expect(t.push(stream.subarray(at, at + size))).toBeNull();
      }
    }
  });

  it('refuses a 5 MB PUBLISH from its header, naming the topic and keeping 4 KB of the payload', () => {
    const t = new PacketLengthTracker(17_408);
    const head = publishHead('citynerve/jingan/drain/DR-1/reading', 5 * 1_048_576);
    const refused = t.push(Buffer.concat([small('{}'), head, Buffer.alloc(8192, 0x61)]));
    const topic = 'citynerve/jingan/drain/DR-1/reading';
    expect(refused).toEqual({
      topic,
      bytes: 2 + topic.length + 2 + 5 * 1_048_576, // topic length, topic, packet id, payload
      head: Buffer.alloc(4096, 0x61),
    });
  });

  it('refuses an oversize packet whose header is split over chunks, without a topic when none arrived', () => {
    const t = new PacketLengthTracker(1000);
    const head = publishHead('a/b', 2000);
    expect(t.push(head.subarray(0, 2))).toBeNull();
    const refused = t.push(head.subarray(2, 3));
    expect(refused).toMatchObject({ topic: null, bytes: 2000 + 7 });
  });
});
