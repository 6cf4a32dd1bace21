// A reader of PostgreSQL's binary COPY format (COPY … TO STDOUT WITH (FORMAT binary)), for the few reads
// that move a million rows: fixed-width fields straight from the bytes instead of a text value and a
// parser per field. Only the types those reads select: int2, int4, int8, float8, timestamptz and text.
// Format: an 11-byte signature, int32 flags, int32 header-extension length and the extension; then per row
// an int16 field count (-1 ends the data) and per field an int32 byte length (-1 for null) and the bytes.

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const EMPTY = Buffer.alloc(0);
/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix ms. */
const PG_EPOCH_MS = 946_684_800_000;

export type BinaryField = 'int2' | 'int4' | 'int8' | 'float8' | 'timestamptz' | 'text';

/** A value as read: numbers for the numeric types, Unix ms for timestamptz, strings for text. */
export type BinaryValue = number | string | null;

/**
 * Decodes a binary COPY stream chunk by chunk as it arrives, so decoding runs while the server is still
 * producing rows: `push` each chunk, then `end`. Calls `row` with each complete row's values decoded by
 * `fields` (one type per column, in order); a row split across chunks is decoded once its last byte is in.
 * The values array is reused between calls: copy what you keep. Throws on a malformed stream or a column
 * count mismatch.
 */
export class BinaryCopyReader {
  private pending: Buffer = EMPTY;
  private viewOf: Buffer = EMPTY;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private started = false;
  private finished = false;
  private readonly values: BinaryValue[];
  rows = 0;

  constructor(
    private readonly fields: readonly BinaryField[],
    private readonly row: (values: BinaryValue[]) => void,
  ) {
    this.values = new Array(fields.length).fill(null);
  }

  push(chunk: Buffer): void {
    this.feed(chunk, 0, chunk.length);
  }

  /** The bytes [start, end) of `buf` come next (a wire reader passes each message's payload in place). */
  feed(buf: Buffer, start: number, end: number): void {
    if (this.finished) {
      if (end > start) throw new Error('binary COPY stream has bytes after its trailer');
      return;
    }
    if (this.pending.length === 0) {
      const at = this.decode(buf, start, end);
      if (at < end) this.pending = Buffer.from(buf.subarray(at, end));
      return;
    }
    const data = Buffer.concat([this.pending, buf.subarray(start, end)]);
    const at = this.decode(data, 0, data.length);
    this.pending = at === data.length ? EMPTY : Buffer.from(data.subarray(at));
  }

  /** The number of rows; throws when the stream stopped before its trailer. */
  end(): number {
    if (!this.started && this.pending.length > 0) throw new Error('not a binary COPY stream (bad signature)');
    if (!this.finished) throw new Error('binary COPY stream ends without its trailer');
    return this.rows;
  }

  /** Decodes every complete row of data[at, end); returns where the first incomplete one starts. */
  private decode(data: Buffer, at: number, end: number): number {
    const { fields, values } = this;
    // A DataView reads faster than Buffer's methods; a wire reader feeds many rows of one chunk in turn.
    if (data !== this.viewOf) {
      this.viewOf = data;
      this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    }
    const view = this.view;
    if (!this.started) {
      if (end - at < 19) return at;
      if (data.compare(SIGNATURE, 0, 11, at, at + 11) !== 0)
        throw new Error('not a binary COPY stream (bad signature)');
      const skip = 19 + view.getInt32(at + 15);
      if (end - at < skip) return at;
      at += skip;
      this.started = true;
    }
    for (;;) {
      if (at + 2 > end) return at;
      const n = view.getInt16(at);
      if (n === -1) {
        this.finished = true;
        if (at + 2 !== end) throw new Error('binary COPY stream has bytes after its trailer');
        return end;
      }
      if (n !== fields.length) throw new Error(`binary COPY row has ${n} fields, expected ${fields.length}`);
      // Is the whole row in? Walk the field lengths first.
      let probe = at + 2;
      for (let i = 0; i < n; i++) {
        if (probe + 4 > end) return at;
        const len = view.getInt32(probe);
        probe += 4 + (len > 0 ? len : 0);
      }
      if (probe > end) return at;
      at += 2;
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
      this.row(values);
      this.rows++;
    }
  }
}

/** The whole stream at once (see BinaryCopyReader); returns the number of rows. */
export function readBinaryCopy(
  data: Buffer,
  fields: readonly BinaryField[],
  row: (values: BinaryValue[]) => void,
): number {
  const reader = new BinaryCopyReader(fields, row);
  reader.push(data);
  return reader.end();
}
