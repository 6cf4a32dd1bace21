import { describe, expect, it } from 'vitest';
import { decodeDelta, decodeSnapshot, encodeDelta, encodeSnapshot } from './codec';

function table() {
  return {
    seq: 42,
    count: 3,
    origin: [121.4, 31.1] as [number, number],
    ids: Int32Array.from([5, 9, 12]),
    offsets: Float32Array.from([0.001, 0.002, 0.01, 0.02, 0.05, 0.07]),
    familyIndex: Uint8Array.from([0, 1, 0]),
    states: Uint8Array.from([0, 2, 3]),
    families: ['manhole', 'hydrant'],
  };
}

describe('sensor frame codec', () => {
  it('round-trips a snapshot, also from unaligned Node buffers', () => {
    const frame = encodeSnapshot(table());
    // Socket.IO on Node delivers Buffers that may start at any byte offset of a shared pool.
    const pool = new Uint8Array(frame.offsets.byteLength + 3);
    pool.set(frame.offsets as Uint8Array, 3);
    const back = decodeSnapshot({ ...frame, offsets: pool.subarray(3) });
    expect(Array.from(back.ids)).toEqual([5, 9, 12]);
    expect(back.offsets[3]).toBeCloseTo(0.02, 6);
    expect(Array.from(back.states)).toEqual([0, 2, 3]);
    expect(back.families).toEqual(['manhole', 'hydrant']);
  });

  it('refuses a snapshot whose arrays do not match its count', () => {
    const frame = encodeSnapshot(table());
    expect(() => decodeSnapshot({ ...frame, count: 4 })).toThrow(/count/);
  });

  it('refuses frames of another wire version', () => {
    const frame = encodeSnapshot(table());
    expect(() => decodeSnapshot({ ...frame, v: 2 as 1 })).toThrow(/version 2/);
  });

  it('round-trips a delta and checks its arrays agree', () => {
    const d = encodeDelta({
      fromSeq: 1,
      seq: 3,
      ids: Int32Array.from([7, 8]),
      states: Uint8Array.from([1, 2]),
    });
    const back = decodeDelta(d);
    expect(back).toMatchObject({ fromSeq: 1, seq: 3 });
    expect(Array.from(back.ids)).toEqual([7, 8]);
    expect(() => decodeDelta({ ...d, states: new Uint8Array(1) })).toThrow(/length/);
  });
});
