// Open311 parameters: formats, languages, date-times, the GET requests filters and the POST fields, each
// refusal naming its parameter.
import { describe, expect, it } from 'vitest';
import { Open311Error } from './errors';
import {
  callerNameOf,
  hashApiKey,
  parseCreateFields,
  parseDateTime,
  parseLang,
  parseRequestQuery,
  parseToken,
  splitResource,
} from './params';

const NOW = new Date('2026-03-02T08:00:00Z');
const DAY = 86_400_000;

/** The Open311Error `fn` throws (fails the test when it throws nothing). */
function refusal(fn: () => unknown): Open311Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof Open311Error) return err;
    throw err;
  }
  throw new Error('expected an Open311Error');
}

describe('formats and names', () => {
  it('splits a resource at its last dot, so service codes with dots survive', () => {
    expect(splitResource('city.sanitation.json')).toEqual({
      name: 'city.sanitation',
      format: 'json',
      ext: 'json',
    });
    expect(splitResource('GD-20260302-7.xml')).toEqual({ name: 'GD-20260302-7', format: 'xml', ext: 'xml' });
    expect(splitResource('GD-1.yaml').format).toBeNull();
    expect(splitResource('GD-1').format).toBeNull();
  });

  it('answers in Chinese unless ?locale=en or Accept-Language prefers English', () => {
    expect(parseLang(null, null)).toBe('zh-CN');
    expect(parseLang('en', 'zh-CN')).toBe('en');
    expect(parseLang('zh-CN', 'en')).toBe('zh-CN');
    expect(parseLang(null, 'en-GB,en;q=0.9')).toBe('en');
    expect(parseLang(null, 'zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-CN');
    expect(parseLang(null, 'fr, en;q=0.5, zh;q=0.4')).toBe('en');
    expect(parseLang(null, 'fr')).toBe('zh-CN');
  });

  it('hashes api keys with SHA-256', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('accepts tokens and refuses anything else', () => {
    expect(parseToken('0b6d2c1e-3f4a-4b5c-8d9e-0f1a2b3c4d5e')).toBe('0b6d2c1e-3f4a-4b5c-8d9e-0f1a2b3c4d5e');
    expect(refusal(() => parseToken('../etc')).description).toMatch(/^token/);
  });
});

describe('parseDateTime', () => {
  it('reads ISO 8601 date-times with a zone', () => {
    expect(parseDateTime('2026-03-02T16:00:00+08:00')?.toISOString()).toBe('2026-03-02T08:00:00.000Z');
    expect(parseDateTime('2026-03-02T08:00Z')?.toISOString()).toBe('2026-03-02T08:00:00.000Z');
    expect(parseDateTime('2026-03-02T08:00:00.250-0130')?.toISOString()).toBe('2026-03-02T09:30:00.250Z');
  });

  it('refuses dates without a zone, days that do not exist and other text', () => {
    for (const bad of [
      '2026-03-02T08:00:00',
      '2026-03-02',
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      'yesterday',
    ])
      expect(parseDateTime(bad)).toBeNull();
  });
});

describe('parseRequestQuery', () => {
  const q = (s: string) => parseRequestQuery(new URLSearchParams(s), NOW);

  it('defaults to the last 90 days, at most 1,000 requests', () => {
    const r = q('');
    expect(r).toMatchObject({ limit: 1000, codes: undefined, serviceCodes: undefined, statuses: undefined });
    expect(r.to).toEqual(NOW);
    expect(NOW.getTime() - r.from.getTime()).toBe(90 * DAY);
  });

  it('reads comma lists and repeated parameters', () => {
    const r = q(
      'status=open,closed&service_code=city.sanitation&service_code=utilities.manholes,city.sanitation',
    );
    expect(r.statuses).toEqual(['open', 'closed']);
    expect(r.serviceCodes).toEqual(['city.sanitation', 'utilities.manholes']);
    expect(q('service_request_id=GD-20260302-1,GD-20260302-2').codes).toEqual([
      'GD-20260302-1',
      'GD-20260302-2',
    ]);
  });

  it('opens a 90-day window from a start date alone, or up to an end date alone', () => {
    const start = q('start_date=2026-01-01T00:00:00Z');
    expect(start.from.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(start.to.getTime() - start.from.getTime()).toBe(90 * DAY);
    const end = q('end_date=2026-01-01T00:00:00Z');
    expect(end.to.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('refuses each bad parameter by name', () => {
    expect(refusal(() => q('status=pending')).description).toMatch(/^status "pending"/);
    expect(refusal(() => q('service_code=nope')).description).toMatch(/^service_code "nope"/);
    expect(refusal(() => q('service_code=safety.sensor_alarm')).description).toMatch(/^service_code/);
    expect(refusal(() => q('service_request_id=GD-1,%3Cx%3E')).description).toMatch(
      /^service_request_id "<x>"/,
    );
    expect(refusal(() => q('start_date=2026-01-01')).description).toMatch(/^start_date/);
    expect(refusal(() => q('end_date=soon')).description).toMatch(/^end_date/);
    expect(
      refusal(() => q('start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z')).description,
    ).toMatch(/start_date is after end_date/);
    const wide = refusal(() => q('start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z'));
    expect(wide.status).toBe(400);
    expect(wide.description).toMatch(/90 days/);
  });
});

describe('parseCreateFields', () => {
  const base = { api_key: 'k', service_code: 'city.sanitation', lat: '31.27', long: '121.45' };

  it('reads a full report', () => {
    const r = parseCreateFields({
      ...base,
      description: ' 垃圾堆了三天 ',
      'attribute[subject]': ' 某小区垃圾箱房无人清运 ',
      first_name: '先生',
      last_name: '张',
      phone: '+86 138-0000-1234',
      email: 'zhang@example.cn',
      media_url: 'https://img.example.cn/1.jpg',
    });
    expect(r).toMatchObject({
      lat: 31.27,
      lon: 121.45,
      address: null,
      description: '垃圾堆了三天',
      subject: '某小区垃圾箱房无人清运',
      callerName: '张先生',
      phone: '+86 138-0000-1234',
      email: 'zhang@example.cn',
      mediaUrl: 'https://img.example.cn/1.jpg',
    });
    expect(r.category.code).toBe('city.sanitation');
  });

  it('takes an address or an address id instead of a point', () => {
    expect(
      parseCreateFields({ service_code: 'city.sanitation', address_string: '阳曲路520弄' }).address,
    ).toBe('阳曲路520弄');
    expect(parseCreateFields({ service_code: 'city.sanitation', address_id: 'A-17' }).addressId).toBe('A-17');
  });

  it('refuses each bad field by name', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ ...base, service_code: '' }, /^service_code is required/],
      [{ ...base, service_code: 'city.nope' }, /^service_code "city.nope"/],
      [{ ...base, service_code: 'safety.sensor_alarm' }, /^service_code/],
      [{ service_code: 'city.sanitation' }, /location is required/],
      [{ ...base, lat: '91' }, /^lat must be between -90 and 90/],
      [{ ...base, long: '-181' }, /^long must be between -180 and 180/],
      [{ ...base, lat: '31.2abc' }, /^lat "31.2abc" is not a number/],
      [{ ...base, lat: '0x1f' }, /^lat/],
      [{ service_code: 'city.sanitation', lat: '31.2' }, /^long is required with lat/],
      [{ ...base, phone: 'call me' }, /^phone/],
      [{ ...base, email: 'not-an-email' }, /^email/],
      [{ ...base, media_url: 'javascript:alert(1)' }, /^media_url/],
      [{ ...base, description: 'x'.repeat(4001) }, /^description is longer than 4000/],
      [{ ...base, 'attribute[subject]': 'x'.repeat(201) }, /^attribute\[subject\] is longer than 200/],
      [{ ...base, 'attribute[subject]': '标题\n正文' }, /^attribute\[subject\] must be one line/],
    ];
    for (const [fields, message] of bad) {
      const err = refusal(() => parseCreateFields(fields));
      expect(err.status).toBe(400);
      expect(err.description).toMatch(message);
    }
  });

  it('joins names family-first for Chinese and first-last otherwise', () => {
    expect(callerNameOf('先生', '张')).toBe('张先生');
    expect(callerNameOf('Ada', 'Lovelace')).toBe('Ada Lovelace');
    expect(callerNameOf(null, '张')).toBe('张');
    expect(callerNameOf(null, null)).toBeNull();
  });
});
