// Pure message lookup and formatting, shared by the rune context and by tests. No Svelte here.
import { DEFAULT_LANG, LANGS, isLang, type Lang } from './langs';
import { en } from './messages/en';
import { zhCN, type MessageKey, type Messages } from './messages/zh-CN';

export type { MessageKey, Messages };
export { DEFAULT_LANG, LANGS, isLang, type Lang };

const catalogues: Record<Lang, Messages> = { 'zh-CN': zhCN, en };

/** Values substituted for {name} placeholders. */
export type MessageParams = Record<string, string | number>;

/** Whether `key` is in the catalogue (for keys built from data, such as a family code). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhCN, key);
}

export function translate(lang: Lang, key: MessageKey, params?: MessageParams): string {
  const template = catalogues[lang][key] ?? catalogues[DEFAULT_LANG][key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Looks up `prefix + code`, falling back to the raw code when the catalogue has no label for it. */
export function translateCode(lang: Lang, prefix: string, code: string): string {
  const key = prefix + code;
  return isMessageKey(key) ? translate(lang, key) : code;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time as hh:mm:ss (24 h), identical in every language. */
export function formatTime(date: Date): string {
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/** Local date and time as YYYY-MM-DD hh:mm:ss; accepts an ISO string. Invalid input is returned as is. */
export function formatDateTime(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  const day = `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
  return `${day} ${formatTime(date)}`;
}
