// A reader of PostgreSQL's binary COPY format (COPY … TO STDOUT WITH (FORMAT binary)), for the few reads
// that move a million rows: fixed-width fields straight from the bytes instead of a text value and a
// parser per field. Only the types those reads select: int2, int4, int8, float8, timestamptz and text.
// Format: an 11-byte signature, int32 flags, int32 header-extension length and the extension; then per row
// an int16 field count (-1 ends the data) and per field an int32 byte length (-1 for null) and the bytes.

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix ms. */
const PG_EPOCH_MS = 946_684_800_000;

export type BinaryField = 'int2' | 'int4' | 'int8' | 'float8' | 'timestamptz' | 'text';

/** A value as read: numbers for the numeric types, Unix ms for timestamptz, strings for text. */
export type BinaryValue = number | string | null;

/**
 * Calls `row` with each row's values decoded by `fields` (one type per column, in order). The values array
 * is reused between calls: copy what you keep. Throws on a malformed stream or a column count mismatch.
 */
export function readBinaryCopy(
  data: Buffer,
  fields: readonly BinaryField[],
  row: (values: BinaryValue[]) => void,
): number {
  if (data.length < 19 || !data.subarray(0, 11).equals(SIGNATURE))
    throw new Error('not a binary COPY stream (bad signature)');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 15;
  at += 4 + view.getInt32(at);
  const values: BinaryValue[] = new Array(fields.length).fill(null);
  let rows = 0;
  for (;;) {
    if (at + 2 > data.length) throw new Error('binary COPY stream ends without its trailer');
    const n = view.getInt16(at);
    at += 2;
    if (n === -1) return rows;
    if (n !== fields.length) throw new Error(`binary COPY row has ${n} fields, expected ${fields.length}`);
    for (let i = 0; i < n; i++) {
      const len = view.getInt32(at);
      at += 4;
      if (len === -1) {
        values[i] = null;
        continue;
      }
      switch (fields[i]) {
        case 'int2':
          values[i] = view.getInt16(at);
          break;
        case 'int4':
          values[i] = view.getInt32(at);
          break;
        case 'int8':
          values[i] = view.getInt32(at) * 4_294_967_296 + view.getUint32(at + 4);
          break;
        case 'float8':
          values[i] = view.getFloat64(at);
          break;
        case 'timestamptz': {
          // Microseconds since 2000 as a signed 64-bit integer; exact in a double for ±285 years.
          const micros = view.getInt32(at) * 4_294_967_296 + view.getUint32(at + 4);
          values[i] = micros / 1000 + PG_EPOCH_MS;
          break;
        }
        case 'text':
          values[i] = data.toString('utf8', at, at + len);
          break;
      }
      at += len;
    }
    row(values);
    rows++;
  }
}
