import { describe, expect, it } from 'vitest';
import type { DeviceReading, Rejection, SensorInfo } from './ingest-contract';
import {
  checkFamily,
  FAMILY_FIELDS,
  isNewer,
  isRejection,
  parseHttpBatch,
  parseReadingPayload,
  parseTopic,
  validateValues,
  WHOLE_BODY,
  type TopicInfo,
} from './ingest';
import { createRandom } from './random';
import { normalReading, readingError, SENSOR_FAMILY_CODES } from './sensor-state';

const NOW = new Date('2025-03-01T08:00:00Z');
const LIMITS = { maxBytes: 2048, maxFutureSkewMs: 300_000 };
const BATCH = { ...LIMITS, maxItems: 3 };
const TOPIC: TopicInfo = { district: 'jingan', family: 'manhole', sensorCode: 'MH-JA-000123' };
const manholeValues = { tilt_deg: 1, displacement_mm: 2, open: false, water_level_cm: 20, battery_pct: 80 };
const payload = (patch: Record<string, unknown> = {}) =>
  JSON.stringify({ ts: '2025-03-01T07:59:00Z', values: manholeValues, ...patch });

/** Asserts a rejection and returns it for detail checks. */
function rejected(x: unknown): Rejection {
  expect(isRejection(x), `expected a rejection, got ${JSON.stringify(x)}`).toBe(true);
  return x as Rejection;
}

describe('parseTopic', () => {
  it('reads district, family and sensor code', () => {
    expect(parseTopic('citynerve/jingan/manhole/MH-JA-000123/reading')).toEqual(TOPIC);
  });

  it.each([
    ['citynerve/jingan/manhole/MH-1', 'does not match citynerve/<district>/<family>/<sensor>/reading'],
    ['citynerve/jingan/manhole/MH-1/status', 'does not match'],
    ['other/jingan/manhole/MH-1/reading', 'does not match'],
    ['citynerve/jingan/manhole//reading', 'sensor code "" in topic is not a valid code'],
    ['citynerve/Jing An/manhole/MH-1/reading', 'district "Jing An" in topic is not a district code'],
    ['citynerve/jingan/toaster/MH-1/reading', 'family "toaster" in topic is not one of manhole, hydrant'],
  ])('refuses %s as bad_topic', (topic, detail) => {
    const r = rejected(parseTopic(topic));
    expect(r.reason).toBe('bad_topic');
    expect(r.detail).toContain(detail);
  });
});

describe('parseReadingPayload', () => {
  it('parses an MQTT payload from bytes, taking sensor and family from the topic', () => {
    const bytes = new TextEncoder().encode(payload());
    expect(parseReadingPayload(bytes, TOPIC, NOW, LIMITS)).toEqual({
      sensorCode: 'MH-JA-000123',
      family: 'manhole',
      ts: new Date('2025-03-01T07:59:00Z'),
      values: manholeValues,
    });
  });

  it('accepts epoch milliseconds and zone offsets', () => {
    const ms = Date.parse('2025-03-01T07:00:00Z');
    const a = parseReadingPayload(payload({ ts: ms }), TOPIC, NOW, LIMITS) as DeviceReading;
    const b = parseReadingPayload(
      payload({ ts: '2025-03-01T15:00:00+08:00' }),
      TOPIC,
      NOW,
      LIMITS,
    ) as DeviceReading;
    expect(a.ts.getTime()).toBe(ms);
    expect(b.ts.getTime()).toBe(ms);
  });

  it('takes sensor and family from an HTTP item', () => {
    const r = parseReadingPayload(payload({ sensor: 'HY-XH-000001', family: 'hydrant' }), null, NOW, LIMITS);
    expect(r).toMatchObject({ sensorCode: 'HY-XH-000001', family: 'hydrant' });
  });

  it('oversize: checks the size before parsing anything', () => {
    const big = new Uint8Array(LIMITS.maxBytes + 1).fill(0x7b); // "{{{{…": would be malformed too
    const r = rejected(parseReadingPayload(big, TOPIC, NOW, LIMITS));
    expect(r).toEqual({
      reason: 'oversize',
      detail: 'message has 2049 bytes; the limit is 2048',
      sensorCode: 'MH-JA-000123',
    });
    const wide = rejected(parseReadingPayload('"' + '井'.repeat(700) + '"', TOPIC, NOW, LIMITS));
    expect(wide.reason).toBe('oversize');
    expect(wide.detail).toContain('the limit is 2048');
  });

  it.each([
    ['{"ts": ', 'payload is not JSON'],
    ['', 'payload is not JSON'],
  ])('malformed_json: %j', (text, detail) => {
    const r = rejected(parseReadingPayload(text, TOPIC, NOW, LIMITS));
    expect(r.reason).toBe('malformed_json');
    expect(r.detail).toContain(detail);
  });

  it('malformed_json: bytes that are not UTF-8', () => {
    const r = rejected(parseReadingPayload(new Uint8Array([0x7b, 0xff, 0x7d]), TOPIC, NOW, LIMITS));
    expect(r).toMatchObject({ reason: 'malformed_json', detail: 'payload is not valid UTF-8 text' });
  });

  it.each([
    [payload({ ts: undefined }), TOPIC, 'ts is required (ISO-8601 or epoch ms)'],
    [JSON.stringify({ ts: '2025-03-01T07:59:00Z' }), TOPIC, 'values is required (an object)'],
    [payload(), null, 'sensor is required (the device code)'],
  ])('missing_field: %s', (text, topic, detail) => {
    const r = rejected(parseReadingPayload(text, topic, NOW, LIMITS));
    expect(r).toMatchObject({ reason: 'missing_field', detail });
  });

  it.each([
    ['[1,2]', TOPIC, 'payload must be a JSON object, got array'],
    [payload({ values: [1] }), TOPIC, 'values must be an object, got array'],
    [payload({ ts: true }), TOPIC, 'ts must be an ISO-8601 string or epoch milliseconds, got boolean'],
    [payload({ sensor: 42 }), null, 'sensor must be a string, got number'],
    [payload({ sensor: 'MH/1' }), null, 'sensor "MH/1" is not a valid sensor code'],
    [payload({ sensor: 'MH-1', family: 3 }), null, 'family must be a string, got number'],
  ])('wrong_type: %s', (text, topic, detail) => {
    const r = rejected(parseReadingPayload(text, topic, NOW, LIMITS));
    expect(r).toMatchObject({ reason: 'wrong_type', detail });
  });

  it.each([
    ['yesterday', 'ts "yesterday" is not an ISO-8601 date-time with a time zone'],
    ['2025-03-01T07:59:00', 'is not an ISO-8601 date-time with a time zone'],
    ['2025-13-45T07:59:00Z', 'ts "2025-13-45T07:59:00Z" is not a valid date-time'],
    ['1999-12-31T23:59:59Z', 'is before 2000-01-01'],
    [1_740_815_940, 'ts 1740815940 is before 2000-01-01 (epoch seconds? send milliseconds)'],
  ])('bad_timestamp: %j', (ts, detail) => {
    const r = rejected(parseReadingPayload(payload({ ts }), TOPIC, NOW, LIMITS));
    expect(r.reason).toBe('bad_timestamp');
    expect(r.detail).toContain(detail);
    expect(r.sensorCode).toBe('MH-JA-000123');
  });

  it('future_timestamp: beyond the allowed clock skew, but not within it', () => {
    const r = rejected(parseReadingPayload(payload({ ts: '2025-03-01T09:00:00Z' }), TOPIC, NOW, LIMITS));
    expect(r).toMatchObject({
      reason: 'future_timestamp',
      detail: 'ts 2025-03-01T09:00:00.000Z is 3600 s ahead of server time; at most 300 s allowed',
    });
    expect(
      isRejection(parseReadingPayload(payload({ ts: '2025-03-01T08:04:00Z' }), TOPIC, NOW, LIMITS)),
    ).toBe(false);
  });
});

describe('parseHttpBatch', () => {
  const item = (sensor: string, patch: Record<string, unknown> = {}) =>
    JSON.stringify({ sensor, ts: '2025-03-01T07:59:00Z', values: { level_cm: 50 }, ...patch });

  it('parses a JSON array, rejecting bad items by index and keeping the good ones', () => {
    const body = `[${item('DR-1')}, ${item('DR-2', { ts: 'soon' })}, ${item('DR-3', { family: 'drain' })}]`;
    const { readings, rejections } = parseHttpBatch(body, 'application/json', NOW, BATCH);
    expect(readings.map((r) => r.sensorCode)).toEqual(['DR-1', 'DR-3']);
    expect(readings[1].family).toBe('drain');
    expect(rejections).toEqual([
      expect.objectContaining({ index: 1, reason: 'bad_timestamp', sensorCode: 'DR-2' }),
    ]);
  });

  it('parses NDJSON, ignoring blank lines and CRLF, rejecting a broken line by item index', () => {
    const body = `${item('DR-1')}\r\n\n{"sensor": "DR-2", "ts":\n${item('DR-3')}\n`;
    const { readings, rejections } = parseHttpBatch(body, 'application/x-ndjson; charset=utf-8', NOW, BATCH);
    expect(readings.map((r) => r.sensorCode)).toEqual(['DR-1', 'DR-3']);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({ index: 1, reason: 'malformed_json' });
    expect(rejections[0].detail).toContain('payload is not JSON');
  });

  it('reads NDJSON sent as application/json', () => {
    const { readings } = parseHttpBatch(`${item('DR-1')}\n${item('DR-2')}`, 'application/json', NOW, BATCH);
    expect(readings).toHaveLength(2);
  });

  it('malformed_json: a body that is neither JSON array nor NDJSON is one rejection', () => {
    const result = parseHttpBatch('sensor=DR-1&level=50', 'application/x-www-form-urlencoded', NOW, BATCH);
    expect(result.readings).toEqual([]);
    expect(result.rejections).toHaveLength(1);
    expect(result.rejections[0]).toMatchObject({ index: WHOLE_BODY, reason: 'malformed_json' });
    expect(result.rejections[0].detail).toContain('body is neither a JSON array nor NDJSON');
    expect(parseHttpBatch('"x"', 'application/json', NOW, BATCH).rejections[0].detail).toBe(
      'body must be a JSON array, got string',
    );
  });

  it('oversize: refuses a batch with too many items as a whole', () => {
    const body = [1, 2, 3, 4].map((i) => item(`DR-${i}`)).join('\n');
    const result = parseHttpBatch(body, 'application/x-ndjson', NOW, BATCH);
    expect(result).toEqual({
      readings: [],
      rejections: [
        {
          index: WHOLE_BODY,
          reason: 'oversize',
          detail: 'batch has 4 items; at most 3 per request — split it',
        },
      ],
    });
    const array = parseHttpBatch(
      `[${[1, 2, 3, 4].map((i) => item(`DR-${i}`)).join(',')}]`,
      'application/json',
      NOW,
      BATCH,
    );
    expect(array.rejections[0].detail).toContain('batch has 4 items');
  });

  it('oversize: refuses a body larger than the limit before parsing', () => {
    const result = parseHttpBatch('x'.repeat(100), 'application/json', NOW, { ...BATCH, maxBodyBytes: 50 });
    expect(result.rejections).toEqual([
      { index: WHOLE_BODY, reason: 'oversize', detail: 'body has 100+ bytes; the limit is 50' },
    ]);
  });

  it('oversize: refuses one NDJSON line over the per-message limit', () => {
    const long = item('DR-1', { note: 'x'.repeat(LIMITS.maxBytes) });
    const { readings, rejections } = parseHttpBatch(`${item('DR-0')}\n${long}`, 'application/x-ndjson', NOW, {
      ...BATCH,
      maxBodyBytes: 100_000,
    });
    expect(readings).toHaveLength(1);
    expect(rejections[0]).toMatchObject({ index: 1, reason: 'oversize' });
  });
});

describe('validateValues', () => {
  it('returns the typed reading and drops unknown extra fields', () => {
    expect(validateValues('manhole', { ...manholeValues, firmware: '2.1' })).toEqual(manholeValues);
  });

  it('accepts what the simulator produces and agrees with readingError on every family', () => {
    const rnd = createRandom('ingest');
    for (const family of SENSOR_FAMILY_CODES) {
      const values = normalReading(family, rnd) as unknown as Record<string, unknown>;
      expect(isRejection(validateValues(family, values))).toBe(false);
      expect(Object.keys(FAMILY_FIELDS[family]).sort()).toEqual(Object.keys(values).sort());
      expect(readingError(family, values)).toBeNull();
    }
  });

  it.each([
    ['manhole', { ...manholeValues, tilt_deg: 400 }, 'tilt_deg = 400 is outside 0..90 °'],
    ['manhole', { ...manholeValues, battery_pct: -1 }, 'battery_pct = -1 is outside 0..100 %'],
    ['manhole', { ...manholeValues, water_level_cm: 501 }, 'water_level_cm = 501 is outside 0..500 cm'],
    [
      'hydrant',
      { pressure_mpa: 3, leak: false, tamper: false, flow_lpm: 0 },
      'pressure_mpa = 3 is outside 0..2.5 MPa',
    ],
    ['gas', { ch4_ppm: 200_000, smoke: false }, 'ch4_ppm = 200000 is outside 0..100000 ppm'],
    [
      'elevator',
      { fault_code: -2, trapped: false, door_fault: false, running: true, alarm_button: false },
      'fault_code = -2 is outside 0..65535',
    ],
  ] as const)('out_of_range: %s %j', (family, values, detail) => {
    const r = rejected(validateValues(family, values, 'X-1'));
    expect(r).toEqual({ reason: 'out_of_range', detail, sensorCode: 'X-1' });
  });

  it('missing_field names the field and the family', () => {
    const { battery_pct: _omit, ...rest } = manholeValues;
    expect(rejected(validateValues('manhole', rest))).toEqual({
      reason: 'missing_field',
      detail: 'values.battery_pct is required for manhole',
    });
  });

  it.each([
    [{ ...manholeValues, tilt_deg: '4' }, 'values.tilt_deg must be a number, got string'],
    [{ ...manholeValues, open: 1 }, 'values.open must be a boolean, got number'],
    [{ ...manholeValues, tilt_deg: null }, 'values.tilt_deg must be a number, got null'],
  ])('wrong_type: %j', (values, detail) => {
    expect(rejected(validateValues('manhole', values))).toEqual({ reason: 'wrong_type', detail });
  });

  it('wrong_type: a fault code must be a whole number', () => {
    const values = { fault_code: 1.5, trapped: false, door_fault: false, running: true, alarm_button: false };
    expect(rejected(validateValues('elevator', values)).detail).toBe(
      'values.fault_code must be a whole number, got 1.5',
    );
  });
});

describe('checkFamily', () => {
  const sensor: SensorInfo = { id: 7, code: 'MH-JA-000123', family: 'manhole', rules: [] };
  const reading = (family?: string): DeviceReading => ({
    sensorCode: sensor.code,
    family,
    ts: NOW,
    values: {},
  });

  it('accepts the registered family or none', () => {
    expect(checkFamily(reading('manhole'), sensor)).toBeNull();
    expect(checkFamily(reading(), sensor)).toBeNull();
  });

  it('wrong_family names both families', () => {
    expect(checkFamily(reading('hydrant'), sensor)).toEqual({
      reason: 'wrong_family',
      detail: 'sensor MH-JA-000123 is a manhole sensor, but the message says "hydrant"',
      sensorCode: 'MH-JA-000123',
    });
  });
});

describe('isNewer', () => {
  it('keeps only strictly newer readings, so duplicates and late arrivals leave the state alone', () => {
    const t = new Date('2025-03-01T07:00:00Z');
    expect(isNewer(t, null)).toBe(true);
    expect(isNewer(t, new Date(t.getTime() - 1))).toBe(true);
    expect(isNewer(t, t)).toBe(false);
    expect(isNewer(t, new Date(t.getTime() + 1))).toBe(false);
  });
});
