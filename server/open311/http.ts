// What every Open311 route does around its one call: pick the format from the extension (404 for one not
// offered), read the language and the caller's view, and turn Open311Errors into error documents.
import type { App } from '../app';
import { Open311Error } from './errors';
import { open311Service, type Open311Service } from './open311.service';
import { parseFormat, parseLang } from './params';
import { render, renderError, type Open311Document } from './render';
import type { Open311Format, Open311Lang } from './types';

/** The Open311 service over the application's repositories and intake. */
export function open311Of(app: App): Open311Service {
  return open311Service({
    repo: app.repos.open311,
    tickets: app.repos.cases,
    intake: app.intake,
    demoKey: app.config.OPEN311_DEMO_KEY,
    publicCellMetres: app.config.PUBLIC_CELL_M,
  });
}

/** The language asked for by `?locale=` or Accept-Language. */
export function langOf(url: URL, request: Request): Open311Lang {
  return parseLang(url.searchParams.get('locale'), request.headers.get('accept-language'));
}

/**
 * Runs `handle` and renders its document in `format` ("json" or "xml", from the resource's extension).
 * Open311Errors become error documents with their status; anything else is a server error.
 */
export async function open311Reply(
  format: string,
  handle: (format: Open311Format) => Promise<Open311Document> | Open311Document,
  status = 200,
): Promise<Response> {
  const f = parseFormat(format);
  if (!f)
    return renderError(
      'json',
      new Open311Error(404, `format "${format.slice(0, 20)}" is not offered: use .json or .xml`),
    );
  try {
    return render(f, await handle(f), status);
  } catch (err) {
    if (err instanceof Open311Error) return renderError(f, err);
    throw err;
  }
}
