// The binary COPY reader against streams built byte by byte as PostgreSQL writes them.
import { describe, expect, it } from 'vitest';
import { BinaryCopyReader, readBinaryCopy, type BinaryField, type BinaryValue } from './copy-binary';

const header = () => {
  const b = Buffer.alloc(19);
  b.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  return b; // flags 0, header extension length 0
};
const int16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
};
const field = (bytes: Buffer | null) => {
  const len = Buffer.alloc(4);
  len.writeInt32BE(bytes === null ? -1 : bytes.length);
  return bytes === null ? len : Buffer.concat([len, bytes]);
};
const int4 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const int8 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
const float8 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b;
};
/** A timestamptz as PostgreSQL sends it: microseconds since 2000-01-01 UTC. */
const timestamptz = (iso: string) =>
  int8(BigInt(Date.parse(iso) - Date.parse('2000-01-01T00:00:00Z')) * 1000n);

function read(data: Buffer, fields: BinaryField[]) {
  const rows: BinaryValue[][] = [];
  const n = readBinaryCopy(data, fields, (v) => rows.push([...v]));
  return { n, rows };
}

describe('readBinaryCopy', () => {
  const fields: BinaryField[] = ['int4', 'int2', 'int8', 'float8', 'timestamptz', 'text'];
  const row = (cells: (Buffer | null)[]) => Buffer.concat([int16(cells.length), ...cells.map(field)]);

  it('decodes each type, nulls, times before 2000 and multi-byte text', () => {
    const data = Buffer.concat([
      header(),
      row([
        int4(-7),
        int16(2),
        int8(9_007_199_254_740_991n),
        float8(1.5),
        timestamptz('2026-03-05T01:02:03.456Z'),
        Buffer.from('满意 ok'),
      ]),
      row([null, null, null, null, timestamptz('1999-12-31T23:59:59.000Z'), Buffer.alloc(0)]),
      int16(-1),
    ]);
    const { n, rows } = read(data, fields);
    expect(n).toBe(2);
    expect(rows[0]).toEqual([
      -7,
      2,
      9_007_199_254_740_991,
      1.5,
      Date.parse('2026-03-05T01:02:03.456Z'),
      '满意 ok',
    ]);
    expect(rows[1]).toEqual([null, null, null, null, Date.parse('1999-12-31T23:59:59.000Z'), '']);
  });

  it('skips a header extension', () => {
    const h = header();
    h.writeInt32BE(3, 15);
    const data = Buffer.concat([h, Buffer.from([1, 2, 3]), row([int4(1)]), int16(-1)]);
    expect(read(data, ['int4']).rows).toEqual([[1]]);
  });

  it('refuses what is not a binary COPY stream, a wrong column count and a missing trailer', () => {
    expect(() => read(Buffer.from('1\t2\n'.repeat(10)), ['int4'])).toThrow(/signature/);
    expect(() => read(Buffer.concat([header(), row([int4(1), int4(2)]), int16(-1)]), ['int4'])).toThrow(
      /2 fields, expected 1/,
    );
    expect(() => read(Buffer.concat([header(), row([int4(1)])]), ['int4'])).toThrow(/trailer/);
  });

  it('decodes the same rows however the stream is cut into chunks, even inside a field or the header', () => {
    const data = Buffer.concat([
      header(),
      row([int4(1), int16(1), null, null, timestamptz('2026-01-01T00:00:00Z'), Buffer.from('甲')]),
      row([int4(2), null, int8(5n), float8(-0.25), null, Buffer.from('second row')]),
      row([int4(3), int16(3), null, null, null, null]),
      int16(-1),
    ]);
    const whole = read(data, fields).rows;
    for (let size = 1; size <= 23; size++) {
      const rows: BinaryValue[][] = [];
      const reader = new BinaryCopyReader(fields, (v) => rows.push([...v]));
      for (let at = 0; at < data.length; at += size) reader.push(data.subarray(at, at + size));
      expect(reader.end()).toBe(3);
      expect(rows).toEqual(whole);
    }
    const cut = new BinaryCopyReader(fields, () => {});
    cut.push(data.subarray(0, data.length - 5));
    expect(() => cut.end()).toThrow(/trailer/);
  });
});
