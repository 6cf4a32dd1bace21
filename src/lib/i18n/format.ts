// Dates, times, durations and numbers in the UI's language, through Intl. Pure: no Svelte, no clock reads
// (relative times take `now`). Times are shown in the city's zone, not the machine's, so the server's render
// and the browser's agree and a deadline reads the same on every screen.
import type { Lang } from './langs';

/** The zone the city works in (China has one offset all year); the SLA calendar counts in it too. */
export const CITY_TIME_ZONE = 'Asia/Shanghai';

/** What the formatters accept as an instant: a Date, epoch milliseconds or an ISO 8601 string. */
export type Instant = Date | number | string;

/** Shown for a missing or unreadable value. */
export const NONE = '—';

// Intl locales: British English gives a 24-hour clock and day-month-year, which reads unambiguously.
const LOCALE: Record<Lang, string> = { 'zh-CN': 'zh-CN', en: 'en-GB' };

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>(
  key: string,
  make: () => T,
): T {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}

const dateTimeFormat = (lang: Lang, kind: string, options: Intl.DateTimeFormatOptions) =>
  cached(
    `dt:${lang}:${kind}`,
    () => new Intl.DateTimeFormat(LOCALE[lang], { timeZone: CITY_TIME_ZONE, hourCycle: 'h23', ...options }),
  );

function toDate(value: Instant | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A calendar day: "2025年3月1日" / "1 Mar 2025". */
export function formatDate(lang: Lang, value: Instant | null | undefined): string {
  const d = toDate(value);
  if (!d) return NONE;
  return dateTimeFormat(lang, 'date', {
    year: 'numeric',
    month: lang === 'en' ? 'short' : 'long',
    day: 'numeric',
  }).format(d);
}

/** A day and minute: "2025年3月1日 08:05" / "1 Mar 2025, 08:05"; with seconds when asked. */
export function formatDateTime(
  lang: Lang,
  value: Instant | null | undefined,
  opts: { seconds?: boolean } = {},
): string {
  const d = toDate(value);
  if (!d) return NONE;
  const seconds = opts.seconds ?? false;
  return dateTimeFormat(lang, seconds ? 'datetime-s' : 'datetime', {
    year: 'numeric',
    month: lang === 'en' ? 'short' : 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  }).format(d);
}

/** A wall-clock time, 24 h: "08:05:07" (or "08:05" without seconds) in both languages. */
export function formatTime(
  lang: Lang,
  value: Instant | null | undefined,
  opts: { seconds?: boolean } = {},
): string {
  const d = toDate(value);
  if (!d) return NONE;
  const seconds = opts.seconds ?? true;
  return dateTimeFormat(lang, seconds ? 'time-s' : 'time', {
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  }).format(d);
}

/** A month written YYYY-MM as "2025年3月" / "Mar 2025"; anything else is returned as it is. */
export function formatMonth(lang: Lang, month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  // Noon UTC on the 15th is the same month in every zone.
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 15, 12));
  return dateTimeFormat(lang, 'month', { year: 'numeric', month: lang === 'en' ? 'short' : 'long' }).format(
    d,
  );
}

const UNITS: Record<Lang, { d: string; h: string; min: string; sep: string; lessThanMinute: string }> = {
  'zh-CN': { d: '天', h: '小时', min: '分', sep: '', lessThanMinute: '不到1分钟' },
  en: { d: ' d', h: ' h', min: ' min', sep: ' ', lessThanMinute: '< 1 min' },
};

/**
 * A length of time, its two largest parts, rounded down to the minute: "3小时20分" / "3 h 20 min",
 * "2天5小时" / "2 d 5 h", "45分钟" / "45 min". Negative lengths are shown as their size.
 */
export function formatDuration(lang: Lang, ms: number): string {
  if (!Number.isFinite(ms)) return NONE;
  const u = UNITS[lang];
  const totalMin = Math.floor(Math.abs(ms) / 60_000);
  if (totalMin === 0) return u.lessThanMinute;
  const days = Math.floor(totalMin / 1440);
  const hours = Math.floor((totalMin % 1440) / 60);
  const minutes = totalMin % 60;
  const n = (v: number) => formatInteger(lang, v);
  if (days) return hours ? `${n(days)}${u.d}${u.sep}${n(hours)}${u.h}` : `${n(days)}${u.d}`;
  if (hours) return minutes ? `${n(hours)}${u.h}${u.sep}${n(minutes)}${u.min}` : `${n(hours)}${u.h}`;
  // Chinese says 分钟 for minutes on their own, 分 after hours ("3小时20分").
  return `${n(minutes)}${lang === 'zh-CN' ? '分钟' : u.min}`;
}

/** Hours as a duration ("8小时" / "8 h"), for deadlines and extensions given in working hours. */
export function formatHours(lang: Lang, hours: number): string {
  if (!Number.isFinite(hours)) return NONE;
  return `${formatNumber(lang, hours, 1)}${UNITS[lang].h}`;
}

/** How long ago or ahead `value` is from `now`: "3小时前" / "3 hours ago", "2天后" / "in 2 days". */
export function formatRelative(lang: Lang, value: Instant, now: Instant): string {
  const d = toDate(value);
  const n = toDate(now);
  if (!d || !n) return NONE;
  const diff = d.getTime() - n.getTime();
  const abs = Math.abs(diff);
  const rtf = cached(`rel:${lang}`, () => new Intl.RelativeTimeFormat(LOCALE[lang], { numeric: 'auto' }));
  const steps: [number, Intl.RelativeTimeFormatUnit][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, unit] of steps) {
    if (abs >= size) return rtf.format(Math.trunc(diff / size), unit);
  }
  return rtf.format(0, 'minute');
}

/** Items as one phrase: "徐家汇街道、田林街道" / "Xujiahui, Tianlin". */
export function formatList(lang: Lang, items: readonly string[]): string {
  return items.join(lang === 'en' ? ', ' : '、');
}

/** A whole number with grouping: "12,345" (both languages group by thousands). */
export function formatInteger(lang: Lang, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return cached(
    `int:${lang}`,
    () => new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 0 }),
  ).format(value);
}

/** A number with up to `digits` decimals (exactly `digits` when `fixed`), with grouping. */
export function formatNumber(
  lang: Lang,
  value: number | null | undefined,
  digits = 2,
  opts: { fixed?: boolean } = {},
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  const fixed = opts.fixed ?? false;
  return cached(
    `num:${lang}:${digits}:${fixed}`,
    () =>
      new Intl.NumberFormat(LOCALE[lang], {
        maximumFractionDigits: digits,
        minimumFractionDigits: fixed ? digits : 0,
      }),
  ).format(value);
}

/** A share 0–1 as a percentage with `digits` decimals: "87.5%". */
export function formatPercent(lang: Lang, share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return NONE;
  return cached(
    `pct:${lang}:${digits}`,
    () =>
      new Intl.NumberFormat(LOCALE[lang], {
        style: 'percent',
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      }),
  ).format(share);
}

/** A distance in metres, "120米" / "120 m"; from 1 km on in kilometres with one decimal. */
export function formatDistance(lang: Lang, metres: number | null | undefined): string {
  if (metres === null || metres === undefined || !Number.isFinite(metres)) return NONE;
  const km = Math.abs(metres) >= 1000;
  const unit = km ? 'kilometer' : 'meter';
  return cached(
    `dist:${lang}:${unit}`,
    () =>
      new Intl.NumberFormat(LOCALE[lang], {
        style: 'unit',
        unit,
        unitDisplay: 'short',
        maximumFractionDigits: km ? 1 : 0,
      }),
  ).format(km ? metres / 1000 : metres);
}
