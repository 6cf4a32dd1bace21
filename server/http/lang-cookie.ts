// The UI language of a request: a signed-in user's stored choice wins over the browser's `lang` cookie,
// which anonymous visitors (and the login page) go by. Shared by the hooks, the login action and the API.
import type { Cookies } from '@sveltejs/kit';
import { DEFAULT_LANG, LANG_COOKIE, isLang, type Lang } from '../../src/lib/i18n/langs';

export { LANG_COOKIE };

/** The language to render in: the user's stored choice, else the cookie's, else the default. */
export function requestLang(user: { language?: Lang | null } | null, cookie: string | undefined): Lang {
  if (user?.language) return user.language;
  return isLang(cookie) ? cookie : DEFAULT_LANG;
}

/**
 * Writes the `lang` cookie (one year). Not httpOnly: it holds no secret, and a page may read it to know the
 * language before the layout data arrives.
 */
export function setLangCookie(cookies: Cookies, lang: Lang, secure: boolean): void {
  cookies.set(LANG_COOKIE, lang, {
    path: '/',
    httpOnly: false,
    sameSite: 'lax',
    secure,
    maxAge: 365 * 24 * 3600,
  });
}
