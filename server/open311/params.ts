// Reading Open311 parameters at the edge: the format from the file extension, the language, the filters of
// GET requests and the fields of POST requests. Pure; every refusal is an Open311Error naming the parameter.
import { createHash } from 'node:crypto';
import { categoryByCode, SENSOR_ALARM_CATEGORY, type CaseCategory } from '../domain/case-categories';
import { Open311Error } from './errors';
import type { Open311Format, Open311Lang } from './types';

/** The longest window GET requests covers, and its default: 90 days (GeoReport v2). */
export const WINDOW_DAYS = 90;
/** At most this many requests per answer (GeoReport v2). */
export const MAX_RESULTS = 1000;
const DAY_MS = 86_400_000;

/** "json" or "xml"; null for anything else. */
export function parseFormat(text: string | undefined): Open311Format | null {
  return text === 'json' || text === 'xml' ? text : null;
}

/** Splits a path segment such as "city.sanitation.json" at its last dot into the name and the format. */
export function splitResource(segment: string): { name: string; format: Open311Format | null; ext: string } {
  const dot = segment.lastIndexOf('.');
  if (dot <= 0) return { name: segment, format: null, ext: '' };
  const ext = segment.slice(dot + 1);
  return { name: segment.slice(0, dot), format: parseFormat(ext), ext };
}

/**
 * The caller's language: `?locale=` first (any "en…" tag means English), then the Accept-Language tag with
 * the highest weight among Chinese and English; Chinese by default.
 */
export function parseLang(locale: string | null, acceptLanguage: string | null): Open311Lang {
  if (locale) return /^en\b/i.test(locale.trim()) ? 'en' : 'zh-CN';
  let best: { lang: Open311Lang; q: number } | null = null;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const [tag, ...opts] = part.trim().split(';');
    const qOpt = opts.map((o) => o.trim()).find((o) => o.startsWith('q='));
    const q = qOpt ? Number(qOpt.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const lang: Open311Lang | null = /^en\b/i.test(tag) ? 'en' : /^zh\b/i.test(tag) ? 'zh-CN' : null;
    if (lang && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'zh-CN';
}

/** The stored form of an api_key: its SHA-256, hex. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The categories citizens may report: every one except the sensor alarm category. */
export function offeredService(code: string): CaseCategory | undefined {
  return code === SENSOR_ALARM_CATEGORY ? undefined : categoryByCode(code);
}

const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** A service_request_id (a case code) or 400. */
export function parseRequestId(text: string, name = 'service_request_id'): string {
  if (!REQUEST_ID.test(text)) throw new Open311Error(400, `${name} "${clip(text)}" is not a request id`);
  return text;
}

/** A token or 400. */
export function parseToken(text: string): string {
  if (!TOKEN.test(text)) throw new Open311Error(400, `token "${clip(text)}" is not a token`);
  return text;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):?(\d{2}))$/i;

/**
 * An ISO 8601 date-time with a time zone (GeoReport v2 requires one), e.g. "2026-03-02T08:00:00+08:00";
 * null when the text is not one or names a day or time that does not exist.
 */
export function parseDateTime(text: string): Date | null {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const exists =
    local.getUTCFullYear() === y &&
    local.getUTCMonth() === mo - 1 &&
    local.getUTCDate() === d &&
    local.getUTCHours() === h &&
    local.getUTCMinutes() === mi &&
    local.getUTCSeconds() === s;
  if (!exists) return null;
  let offsetMin = 0;
  if (m[8].toUpperCase() !== 'Z') {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 14 || om > 59) return null;
    offsetMin = (m[8][0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(local.getTime() + ms - offsetMin * 60_000);
}

/** The filters of GET requests, checked. */
export interface RequestQuery {
  /** service_request_id: when present, every other filter (the date window too) is ignored, per spec. */
  codes?: string[];
  /** service_code filter. */
  serviceCodes?: string[];
  /** status filter. */
  statuses?: ('open' | 'closed')[];
  /** Requested on or after this instant. */
  from: Date;
  /** Requested on or before this instant. */
  to: Date;
  /** At most this many, newest first. */
  limit: number;
}

/** Values of a parameter that may repeat and may be comma-separated, empty ones dropped. */
function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The filters of GET requests; 400 naming the parameter for anything it cannot use. */
export function parseRequestQuery(query: URLSearchParams, now: Date): RequestQuery {
  const codes = listParam(query, 'service_request_id');
  if (codes.length > MAX_RESULTS)
    throw new Open311Error(400, `service_request_id lists more than ${MAX_RESULTS} ids`);
  for (const code of codes) parseRequestId(code);

  const serviceCodes = listParam(query, 'service_code');
  for (const code of serviceCodes)
    if (!offeredService(code))
      throw new Open311Error(400, `service_code "${clip(code)}" is not a service: see services.json`);

  const statuses = listParam(query, 'status');
  for (const s of statuses)
    if (s !== 'open' && s !== 'closed')
      throw new Open311Error(400, `status "${clip(s)}" is not a status: use open, closed or both`);

  const date = (name: 'start_date' | 'end_date'): Date | null => {
    const text = query.get(name);
    if (text === null || text.trim() === '') return null;
    const d = parseDateTime(text);
    if (!d)
      throw new Open311Error(
        400,
        `${name} "${clip(text)}" is not an ISO 8601 date-time with a time zone, e.g. 2026-03-02T08:00:00+08:00`,
      );
    return d;
  };
  const start = date('start_date');
  const end = date('end_date');
  const span = WINDOW_DAYS * DAY_MS;
  let from: Date;
  let to: Date;
  if (start && end) {
    if (start > end) throw new Open311Error(400, 'start_date is after end_date');
    if (end.getTime() - start.getTime() > span)
      throw new Open311Error(400, `start_date and end_date may not span more than ${WINDOW_DAYS} days`);
    [from, to] = [start, end];
  } else if (start) [from, to] = [start, new Date(start.getTime() + span)];
  else if (end) [from, to] = [new Date(end.getTime() - span), end];
  else [from, to] = [new Date(now.getTime() - span), now];

  return {
    codes: codes.length ? [...new Set(codes)] : undefined,
    serviceCodes: serviceCodes.length ? [...new Set(serviceCodes)] : undefined,
    statuses: statuses.length ? [...new Set(statuses as ('open' | 'closed')[])] : undefined,
    from,
    to,
    limit: MAX_RESULTS,
  };
}

/** A new service request, checked. */
export interface CreateRequestInput {
  /** The category reported. */
  category: CaseCategory;
  /** WGS84 point; both null when not sent. */
  lat: number | null;
  lon: number | null;
  /** address_string as sent. */
  address: string | null;
  /** address_id as sent (kept as address text: there is no master address register). */
  addressId: string | null;
  /** The report's text; null when not sent. */
  description: string | null;
  /** attribute[subject]: the report's title line; null when not sent. */
  subject: string | null;
  /** first_name and last_name joined; null when neither was sent. */
  callerName: string | null;
  phone: string | null;
  email: string | null;
  /** An http(s) link to a photo or video. */
  mediaUrl: string | null;
}

/** The longest subject line `attribute[subject]` may carry. */
export const SUBJECT_MAX = 200;

const LIMITS = {
  'attribute[subject]': SUBJECT_MAX,
  address_string: 500,
  address_id: 100,
  description: 4000,
  first_name: 50,
  last_name: 50,
  media_url: 2000,
} as const;
const PHONE = /^\+?[0-9][0-9 ()-]{2,30}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function coordinate(
  fields: Readonly<Record<string, string>>,
  name: 'lat' | 'long',
  max: number,
): number | null {
  const text = fields[name]?.trim();
  if (!text) return null;
  if (!NUMBER.test(text)) throw new Open311Error(400, `${name} "${clip(text)}" is not a number`);
  const v = Number(text);
  if (v < -max || v > max)
    throw new Open311Error(400, `${name} must be between -${max} and ${max}, got ${text}`);
  return v;
}

function isHttpUrl(text: string): boolean {
  if (/\s/.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A person's name from first_name and last_name: family name first for Chinese, "first last" otherwise. */
export function callerNameOf(first: string | null, last: string | null): string | null {
  if (!first && !last) return null;
  if (!first || !last) return first || last;
  return /[\u3400-\u9fff]/.test(first + last) ? `${last}${first}` : `${first} ${last}`;
}

/** A subject line: one line (line breaks would let it pose as the body); null when empty. */
function subjectOf(value: string | null): string | null {
  if (value === null) return null;
  if (/[\r\n]/.test(value)) throw new Open311Error(400, 'attribute[subject] must be one line');
  return value;
}

/** The fields of POST requests (form or JSON, already flattened to text); 400 naming the field. */
export function parseCreateFields(fields: Readonly<Record<string, string>>): CreateRequestInput {
  const text = (name: keyof typeof LIMITS): string | null => {
    const v = fields[name]?.trim();
    if (!v) return null;
    if (v.length > LIMITS[name])
      throw new Open311Error(400, `${name} is longer than ${LIMITS[name]} characters`);
    return v;
  };

  const code = fields.service_code?.trim();
  if (!code) throw new Open311Error(400, 'service_code is required: see services.json');
  const category = offeredService(code);
  if (!category)
    throw new Open311Error(400, `service_code "${clip(code)}" is not a service: see services.json`);

  const lat = coordinate(fields, 'lat', 90);
  const lon = coordinate(fields, 'long', 180);
  if ((lat === null) !== (lon === null))
    throw new Open311Error(400, lat === null ? 'lat is required with long' : 'long is required with lat');
  const address = text('address_string');
  const addressId = text('address_id');
  if (lat === null && !address && !addressId)
    throw new Open311Error(400, 'a location is required: lat and long, address_string or address_id');

  const phone = fields.phone?.trim() || null;
  if (phone && !PHONE.test(phone))
    throw new Open311Error(400, `phone "${clip(phone)}" is not a phone number`);
  const email = fields.email?.trim() || null;
  if (email && (email.length > 254 || !EMAIL.test(email)))
    throw new Open311Error(400, `email "${clip(email)}" is not an email address`);
  const mediaUrl = text('media_url');
  if (mediaUrl && !isHttpUrl(mediaUrl))
    throw new Open311Error(400, `media_url "${clip(mediaUrl)}" is not an http(s) URL`);

  return {
    category,
    lat,
    lon,
    address,
    addressId,
    description: text('description'),
    subject: subjectOf(text('attribute[subject]')),
    callerName: callerNameOf(text('first_name'), text('last_name')),
    phone,
    email,
    mediaUrl,
  };
}
