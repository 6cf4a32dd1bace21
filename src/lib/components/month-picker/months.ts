// The choices of the month picker, worded by Intl in the page's language. Pure.
import type { Lang } from '$lib/i18n';

const LOCALE: Record<Lang, string> = { 'zh-CN': 'zh-CN', en: 'en-GB' };

/** The twelve months as [value "01".."12", label "1月" / "January"]. */
export function monthChoices(lang: Lang): [string, string][] {
  const f = new Intl.DateTimeFormat(LOCALE[lang], {
    month: lang === 'en' ? 'long' : 'short',
    timeZone: 'UTC',
  });
  return Array.from({ length: 12 }, (_, i) => [
    String(i + 1).padStart(2, '0'),
    f.format(new Date(Date.UTC(2000, i, 15, 12))),
  ]);
}

/** The years to offer as [value, label "2026年" / "2026"], oldest first, from `from` to `to`. */
export function yearChoices(lang: Lang, from: number, to: number): [string, string][] {
  const f = new Intl.DateTimeFormat(LOCALE[lang], { year: 'numeric', timeZone: 'UTC' });
  const years: [string, string][] = [];
  for (let y = Math.min(from, to); y <= Math.max(from, to); y++)
    years.push([String(y), f.format(new Date(Date.UTC(y, 5, 15, 12)))]);
  return years;
}

/** `month` (YYYY-MM) moved by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number);
  const i = y * 12 + (m - 1) + delta;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}
