// Reading a JSON request body at the edge: a JSON content type (415), a size limit (413), malformed JSON
// (400), control characters in any string (400 naming the field) and a zod schema whose first problem is
// named with its field (400). Routes call this before any work is done.
import { error } from '@sveltejs/kit';
import type { z } from 'zod';
import { BodyTooLargeError, readBodyLimited } from '../ingest/http-ingest';

/** application/json, or a +json type such as application/merge-patch+json. */
export function isJsonType(contentType: string | null): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** 415 unless the request says its body is JSON (a form post from another site cannot say so). */
export function requireJsonType(request: Request): void {
  if (!isJsonType(request.headers.get('content-type')))
    error(
      415,
      `content-type must be application/json, got "${(request.headers.get('content-type') ?? 'none').slice(0, 60)}"`,
    );
}

// C0 controls but tab, newline and carriage return, and DEL: free text may wrap, nothing else needs these.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The path ("note", "items.2.title") of the first string or key holding a control character, or null. */
export function controlCharPath(value: unknown, path: (string | number)[] = []): string | null {
  const here = () => (path.length ? path.join('.') : 'body');
  if (typeof value === 'string') return CONTROL.test(value) ? here() : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = controlCharPath(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (CONTROL.test(key)) return `${here()} (a key)`;
      const found = controlCharPath(v, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** JSON text → value, 400 for malformed JSON or a control character in a string (naming its field). */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    error(400, `request body is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  const bad = controlCharPath(value);
  if (bad)
    error(400, `${bad}: contains a control character (only tab, newline and carriage return are allowed)`);
  return value;
}

/** The parsed, validated body; throws SvelteKit HTTP errors with a message naming the problem. */
export async function readJson<T extends z.ZodType>(
  request: Request,
  schema: T,
  maxBytes = 64 * 1024,
): Promise<z.infer<T>> {
  requireJsonType(request);
  let text: string;
  try {
    text = await readBodyLimited(request, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) error(413, `request body is larger than ${maxBytes} bytes`);
    throw err;
  }
  const value = parseJsonText(text);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : 'body';
    error(400, `${where}: ${issue.message}`);
  }
  return parsed.data as z.infer<T>;
}
