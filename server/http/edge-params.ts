// The first look at every query string, before a route or a database sees it: how many parameters, how
// long each is, and no control characters. One place, so no parser has to remember; routes still check
// what a value means.

/** The longest value a query parameter may have unless it is listed in PARAM_MAX_LENGTH. */
export const DEFAULT_PARAM_MAX_LENGTH = 200;

/** Parameters that legitimately carry more: lists of ids, a return path. */
export const PARAM_MAX_LENGTH: Readonly<Record<string, number>> = {
  // Open311: up to 1000 request ids (MAX_RESULTS) of at most 19 characters, comma-separated.
  service_request_id: 20_000,
  service_code: 2_000,
  // The login page's return path (a page of the app with its own query string).
  next: 2_000,
};

/** More parameters than any page or endpoint of the app takes. */
export const MAX_PARAMS = 64;

/** Longest parameter name. */
export const MAX_PARAM_NAME_LENGTH = 64;

// C0 controls and DEL. A query value has no use for any of them, not even tab or newline.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why a query string is refused, naming the parameter; null when it may pass. */
export function queryProblem(params: URLSearchParams): { param: string | null; message: string } | null {
  let count = 0;
  for (const [name, value] of params) {
    count += 1;
    if (count > MAX_PARAMS) return { param: null, message: `more than ${MAX_PARAMS} query parameters` };
    const shown = name.slice(0, 40).replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?');
    if (name.length > MAX_PARAM_NAME_LENGTH)
      return {
        param: shown,
        message: `query parameter name "${shown}…" is longer than ${MAX_PARAM_NAME_LENGTH}`,
      };
    if (CONTROL.test(name))
      return { param: shown, message: `query parameter name "${shown}" contains a control character` };
    const max = PARAM_MAX_LENGTH[name] ?? DEFAULT_PARAM_MAX_LENGTH;
    const called = `query parameter "${shown}"`;
    if (value.length > max)
      return { param: name, message: `${called} is longer than ${max} characters (${value.length})` };
    if (CONTROL.test(value))
      return { param: name, message: `${called} contains a control character (U+0000–U+001F or U+007F)` };
  }
  return null;
}
