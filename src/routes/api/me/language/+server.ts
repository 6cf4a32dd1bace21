// PUT /api/me/language {"language": "zh-CN" | "en"}: switches the UI language. Always sets the browser's
// `lang` cookie; for a signed-in user also stores the choice on their account, so it follows them to
// every later session and device.
import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import { setLangCookie } from '$server/http/lang-cookie';
import { readJson } from '$server/http/json-body';
import { LANGS } from '$lib/i18n/langs';
import type { LanguageResponse } from '$lib/api/me';
import type { RequestHandler } from './$types';

const body = z.object({
  language: z.enum(LANGS, {
    error: (issue) =>
      `must be one of ${LANGS.join(', ')}, got ${issue.input === undefined ? 'nothing' : JSON.stringify(issue.input).slice(0, 40)}`,
  }),
});

export const PUT: RequestHandler = async ({ request, locals, cookies }) => {
  const { language } = await readJson(request, body, 1024);
  let stored = false;
  if (locals.user) {
    stored = await locals.app.auth.setLanguage(locals.user.id, language);
    if (!stored) error(404, `user ${locals.user.id} no longer exists`);
  }
  setLangCookie(cookies, language, locals.app.config.COOKIE_SECURE);
  return json({ language, stored } satisfies LanguageResponse);
};

export const GET: RequestHandler = ({ locals }) =>
  json({ language: locals.lang, stored: Boolean(locals.user?.language) } satisfies LanguageResponse);
