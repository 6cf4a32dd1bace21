// Pure parsing and validation of device messages: MQTT topic → sensor, payload bytes → DeviceReading,
// raw values → a family's typed reading, or a Rejection with the reason and the field that broke it.
//
// MQTT topic scheme: `citynerve/<district>/<family>/<sensorCode>/reading`, e.g.
//   citynerve/jingan/manhole/MH-JA-000123/reading   with payload   {"ts": "2025-03-01T08:00:00Z", "values": {...}}
// `ts` is an ISO-8601 string with a zone (Z or ±hh:mm) or epoch milliseconds. HTTP batch items are the same
// object plus `"sensor": "<code>"` and an optional `"family"`, sent as a JSON array or as NDJSON.
//
// Duplicates and out-of-order readings are NOT dead letters: the pipeline drops a reading whose ts is not
// newer than the sensor's stored reported_at (see isNewer), which makes redelivered QoS 1 messages idempotent.
import type { DeviceReading, Rejection, SensorInfo } from './ingest-contract';
import { SENSOR_FAMILY_CODES, type ReadingByFamily, type SensorFamily } from './sensor-state';

/** Where an MQTT message came from, read off its topic. */
export interface TopicInfo {
  /** District code, e.g. "jingan". */
  district: string;
  /** The family the topic names. */
  family: SensorFamily;
  /** The device's own identifier, e.g. "MH-JA-000123". */
  sensorCode: string;
}

/** Size and clock limits for one device message (from config). */
export interface PayloadLimits {
  /** Largest accepted message (one MQTT payload or one NDJSON line), in bytes. */
  maxBytes: number;
  /** How far a device clock may run ahead of ours before its readings are refused, ms. */
  maxFutureSkewMs: number;
}

/** Limits for one HTTP batch. */
export interface BatchLimits extends PayloadLimits {
  /** Most items one request may carry; a larger batch is refused as a whole. */
  maxItems: number;
  /** Largest accepted body, bytes; defaults to maxItems × maxBytes. */
  maxBodyBytes?: number;
}

/** A Rejection for one item of an HTTP batch. */
export type BatchRejection = Rejection & {
  /** Zero-based position of the item in the batch (blank NDJSON lines not counted); -1 for the whole body. */
  index: number;
};

/** What an HTTP batch yields: the readings that parsed and a rejection for each item that did not. */
export interface BatchResult {
  /** Readings whose envelope parsed, in batch order. */
  readings: DeviceReading[];
  /** One entry per refused item. */
  rejections: BatchRejection[];
}

/** `index` of a rejection that concerns the whole HTTP body rather than one item. */
export const WHOLE_BODY = -1;

/** The type and physical range of one reading field. */
export type FieldSpec =
  | {
      /** A measured quantity. */
      type: 'number';
      /** Smallest physically possible value. */
      min: number;
      /** Largest physically possible value (a sensor's measuring range). */
      max: number;
      /** Unit shown in error messages. */
      unit: string;
      /** Whole numbers only (codes). */
      integer?: boolean;
    }
  | {
      /** A yes/no signal. */
      type: 'boolean';
    };

const num = (min: number, max: number, unit: string, integer = false): FieldSpec => ({
  type: 'number',
  min,
  max,
  unit,
  ...(integer ? { integer } : {}),
});
const bool: FieldSpec = { type: 'boolean' };

/**
 * Every family's fields with their physical ranges. A value outside is a broken or spoofed device, not an
 * alarm, so it is refused (out_of_range) instead of tripping a rule. Ranges are the measuring ranges of
 * typical devices: a tilt sensor reads 0..90°, hydrant gauges 0..2.5 MPa, drain radars 0..5 m.
 */
export const FAMILY_FIELDS: {
  readonly [F in SensorFamily]: Readonly<Record<keyof ReadingByFamily[F], FieldSpec>>;
} = {
  manhole: {
    tilt_deg: num(0, 90, '°'),
    displacement_mm: num(0, 1000, 'mm'),
    open: bool,
    water_level_cm: num(0, 500, 'cm'),
    battery_pct: num(0, 100, '%'),
  },
  hydrant: {
    pressure_mpa: num(0, 2.5, 'MPa'),
    leak: bool,
    tamper: bool,
    flow_lpm: num(0, 10_000, 'L/min'),
  },
  elevator: {
    fault_code: num(0, 65_535, '', true),
    trapped: bool,
    door_fault: bool,
    running: bool,
    alarm_button: bool,
  },
  drain: { level_cm: num(0, 500, 'cm') },
  streetlight: { lamp_on: bool, current_a: num(0, 50, 'A'), fault: bool },
  gas: { ch4_ppm: num(0, 100_000, 'ppm'), smoke: bool },
};

const reject = (reason: Rejection['reason'], detail: string, sensorCode?: string): Rejection =>
  sensorCode === undefined ? { reason, detail } : { reason, detail, sensorCode };

/** True when a parse or validation step refused its input. */
export function isRejection(x: unknown): x is Rejection {
  return typeof x === 'object' && x !== null && 'reason' in x && 'detail' in x;
}

const isFamily = (s: string): s is SensorFamily => (SENSOR_FAMILY_CODES as readonly string[]).includes(s);
const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const typeName = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x);
/** Keeps details readable (and dead-letter rows small) when a device sends a huge bogus value. */
const show = (x: unknown) => {
  const s = typeof x === 'string' ? JSON.stringify(x) : String(x);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

// Segments must not be empty or carry MQTT wildcards; codes are what the registry can hold.
const DISTRICT_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const SENSOR_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** Reads `citynerve/<district>/<family>/<sensorCode>/reading`; anything else is a bad_topic. */
export function parseTopic(topic: string): TopicInfo | Rejection {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'citynerve' || parts[4] !== 'reading') {
    return reject(
      'bad_topic',
      `topic "${topic}" does not match citynerve/<district>/<family>/<sensor>/reading`,
    );
  }
  const [, district, family, sensorCode] = parts;
  if (!DISTRICT_RE.test(district))
    return reject('bad_topic', `district "${district}" in topic is not a district code`);
  if (!SENSOR_CODE_RE.test(sensorCode)) {
    return reject('bad_topic', `sensor code "${sensorCode}" in topic is not a valid code`);
  }
  if (!isFamily(family)) {
    return reject(
      'bad_topic',
      `family "${family}" in topic is not one of ${SENSOR_FAMILY_CODES.join(', ')}`,
      sensorCode,
    );
  }
  return { district, family, sensorCode };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 size of a string, encoding it only when its length alone cannot decide against `max`. */
function tooBig(text: string, max: number): number | null {
  if (text.length * 3 <= max) return null; // a UTF-16 unit never takes more than 3 UTF-8 bytes
  const bytes = text.length > max ? text.length : encoder.encode(text).length;
  return bytes > max ? bytes : null;
}

/** Parses one MQTT payload (or one HTTP item as text); the size is checked before any parsing. */
export function parseReadingPayload(
  bytes: Uint8Array | string,
  topicInfo: TopicInfo | null,
  now: Date,
  limits: PayloadLimits,
): DeviceReading | Rejection {
  const sensorCode = topicInfo?.sensorCode;
  let text: string;
  if (typeof bytes === 'string') {
    const size = tooBig(bytes, limits.maxBytes);
    if (size !== null) {
      return reject('oversize', `message has ${size}+ bytes; the limit is ${limits.maxBytes}`, sensorCode);
    }
    text = bytes;
  } else {
    if (bytes.length > limits.maxBytes) {
      return reject(
        'oversize',
        `message has ${bytes.length} bytes; the limit is ${limits.maxBytes}`,
        sensorCode,
      );
    }
    try {
      text = decoder.decode(bytes);
    } catch {
      return reject('malformed_json', 'payload is not valid UTF-8 text', sensorCode);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return reject('malformed_json', `payload is not JSON: ${(e as Error).message}`, sensorCode);
  }
  return parseReadingObject(parsed, topicInfo, now, limits);
}

// Only the unambiguous ISO-8601 forms: Date.parse alone accepts "March 7" and local times, and a local time
// would be read in whatever zone the server runs in.
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const Y2000 = Date.UTC(2000, 0, 1);

/** Reads the device timestamp: a Date, or a Rejection naming the problem. */
function parseTs(ts: unknown, sensorCode: string | undefined): Date | Rejection {
  let ms: number;
  if (typeof ts === 'string') {
    if (!ISO_RE.test(ts)) {
      return reject(
        'bad_timestamp',
        `ts ${show(ts)} is not an ISO-8601 date-time with a time zone (e.g. 2025-03-01T08:00:00Z)`,
        sensorCode,
      );
    }
    ms = Date.parse(ts);
    if (Number.isNaN(ms))
      return reject('bad_timestamp', `ts ${show(ts)} is not a valid date-time`, sensorCode);
  } else if (typeof ts === 'number') {
    if (!Number.isFinite(ts))
      return reject('bad_timestamp', `ts ${show(ts)} is not a finite number`, sensorCode);
    ms = ts;
  } else {
    return reject(
      'wrong_type',
      `ts must be an ISO-8601 string or epoch milliseconds, got ${typeName(ts)}`,
      sensorCode,
    );
  }
  if (ms < Y2000) {
    // The usual culprit is a device sending epoch seconds, which land in January 1970.
    const hint = typeof ts === 'number' && ts > 9e8 && ts < 1e10 ? ' (epoch seconds? send milliseconds)' : '';
    return reject('bad_timestamp', `ts ${show(ts)} is before 2000-01-01${hint}`, sensorCode);
  }
  return new Date(ms);
}

/** Checks an already-parsed payload object (MQTT payload or one HTTP batch item). */
function parseReadingObject(
  parsed: unknown,
  topicInfo: TopicInfo | null,
  now: Date,
  limits: PayloadLimits,
): DeviceReading | Rejection {
  let sensorCode = topicInfo?.sensorCode;
  if (!isObject(parsed)) {
    return reject('wrong_type', `payload must be a JSON object, got ${typeName(parsed)}`, sensorCode);
  }
  // The topic names the sensor for MQTT; a `sensor` field in an MQTT payload is ignored, the broker's ACL
  // on the topic is what a device is trusted by.
  if (!topicInfo) {
    if (!('sensor' in parsed)) return reject('missing_field', 'sensor is required (the device code)');
    if (typeof parsed.sensor !== 'string') {
      return reject('wrong_type', `sensor must be a string, got ${typeName(parsed.sensor)}`);
    }
    if (!SENSOR_CODE_RE.test(parsed.sensor)) {
      return reject('wrong_type', `sensor ${show(parsed.sensor)} is not a valid sensor code`);
    }
    sensorCode = parsed.sensor;
  }
  let family: string | undefined = topicInfo?.family;
  if (!topicInfo && 'family' in parsed && parsed.family !== undefined) {
    if (typeof parsed.family !== 'string') {
      return reject('wrong_type', `family must be a string, got ${typeName(parsed.family)}`, sensorCode);
    }
    family = parsed.family;
  }
  if (!('ts' in parsed)) return reject('missing_field', 'ts is required (ISO-8601 or epoch ms)', sensorCode);
  const ts = parseTs(parsed.ts, sensorCode);
  if (isRejection(ts)) return ts;
  const ahead = ts.getTime() - now.getTime();
  if (ahead > limits.maxFutureSkewMs) {
    return reject(
      'future_timestamp',
      `ts ${ts.toISOString()} is ${Math.round(ahead / 1000)} s ahead of server time; at most ${Math.round(limits.maxFutureSkewMs / 1000)} s allowed`,
      sensorCode,
    );
  }
  if (!('values' in parsed)) return reject('missing_field', 'values is required (an object)', sensorCode);
  if (!isObject(parsed.values)) {
    return reject('wrong_type', `values must be an object, got ${typeName(parsed.values)}`, sensorCode);
  }
  const reading: DeviceReading = { sensorCode: sensorCode as string, ts, values: parsed.values };
  if (family !== undefined) reading.family = family;
  return reading;
}

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl']);

/**
 * Parses an HTTP gateway batch: a JSON array of items, or NDJSON (one item per line, blank lines ignored).
 * A body that is neither, or carries more than `maxItems` items, is refused as a whole (index -1), so a
 * gateway never has to work out which half of a batch went in.
 */
export function parseHttpBatch(
  body: string,
  contentType: string,
  now: Date,
  limits: BatchLimits,
): BatchResult {
  const whole = (reason: Rejection['reason'], detail: string): BatchResult => ({
    readings: [],
    rejections: [{ reason, detail, index: WHOLE_BODY }],
  });
  const maxBody = limits.maxBodyBytes ?? limits.maxItems * limits.maxBytes;
  const size = tooBig(body, maxBody);
  if (size !== null) return whole('oversize', `body has ${size}+ bytes; the limit is ${maxBody}`);
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  const trimmed = body.trimStart();
  // Gateways mislabel NDJSON as JSON often enough that the body's first character decides when they disagree.
  const asArray = trimmed.startsWith('[') || (!NDJSON_TYPES.has(mediaType) && !trimmed.startsWith('{'));
  const tooMany = (n: number) =>
    whole('oversize', `batch has ${n} items; at most ${limits.maxItems} per request — split it`);

  const readings: DeviceReading[] = [];
  const rejections: BatchRejection[] = [];
  const take = (result: DeviceReading | Rejection, index: number) => {
    if (isRejection(result)) rejections.push({ ...result, index });
    else readings.push(result);
  };

  if (asArray) {
    let items: unknown;
    try {
      items = JSON.parse(body);
    } catch (e) {
      return whole('malformed_json', `body is neither a JSON array nor NDJSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(items))
      return whole('malformed_json', `body must be a JSON array, got ${typeName(items)}`);
    if (items.length > limits.maxItems) return tooMany(items.length);
    items.forEach((item, i) => take(parseReadingObject(item, null, now, limits), i));
    return { readings, rejections };
  }

  const lines = body.split('\n').filter((line) => line.trim() !== '');
  if (lines.length > limits.maxItems) return tooMany(lines.length);
  lines.forEach((line, i) => take(parseReadingPayload(line.replace(/\r$/, ''), null, now, limits), i));
  return { readings, rejections };
}

/** Each family's fields as a list, made once: validateValues runs for every reading. */
const FIELD_LISTS = new Map<string, readonly (readonly [string, FieldSpec])[]>(
  Object.entries(FAMILY_FIELDS).map(([family, fields]) => [
    family,
    Object.entries(fields as Record<string, FieldSpec>),
  ]),
);

/**
 * Checks a reading's values against its family: every required field present, of the right type and
 * within the physical range. Unknown extra fields are dropped, so a newer firmware does not break ingest.
 */
export function validateValues<F extends SensorFamily>(
  family: F,
  values: Record<string, unknown>,
  sensorCode?: string,
): ReadingByFamily[F] | Rejection {
  const fields = FIELD_LISTS.get(family);
  if (!fields) return reject('wrong_family', `unknown sensor family "${family}"`, sensorCode);
  const out: Record<string, number | boolean> = {};
  for (const [name, spec] of fields) {
    const v = values[name];
    if (v === undefined)
      return reject('missing_field', `values.${name} is required for ${family}`, sensorCode);
    if (spec.type === 'boolean') {
      if (typeof v !== 'boolean') {
        return reject('wrong_type', `values.${name} must be a boolean, got ${typeName(v)}`, sensorCode);
      }
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return reject('wrong_type', `values.${name} must be a number, got ${typeName(v)}`, sensorCode);
      }
      if (spec.integer && !Number.isInteger(v)) {
        return reject('wrong_type', `values.${name} must be a whole number, got ${v}`, sensorCode);
      }
      if (v < spec.min || v > spec.max) {
        const unit = spec.unit ? ` ${spec.unit}` : '';
        return reject(
          'out_of_range',
          `${name} = ${v} is outside ${spec.min}..${spec.max}${unit}`,
          sensorCode,
        );
      }
    }
    out[name] = v;
  }
  return out as unknown as ReadingByFamily[F];
}

/** Refuses a reading whose topic or payload names a family other than the registered sensor's. */
export function checkFamily(reading: DeviceReading, sensor: SensorInfo): Rejection | null {
  if (reading.family === undefined || reading.family === sensor.family) return null;
  return reject(
    'wrong_family',
    `sensor ${sensor.code} is a ${sensor.family} sensor, but the message says ${show(reading.family)}`,
    reading.sensorCode,
  );
}

/** True when a reading should replace the stored state: strictly newer than the last one (or the first). */
export function isNewer(ts: Date, reportedAt: Date | null | undefined): boolean {
  return !reportedAt || ts.getTime() > reportedAt.getTime();
}
