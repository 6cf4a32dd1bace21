// The languages the UI speaks, in a module without catalogues so the server can import it cheaply.

/** Languages the UI speaks; the first one is the default. */
export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** Name of the cookie that keeps the language of a browser (anonymous users, and between sessions). */
export const LANG_COOKIE = 'lang';
