// Reading a JSON request body at the edge: a size limit (413), malformed JSON (400) and a zod schema whose
// first problem is named with its field (400). Routes call this before any work is done.
import { error } from '@sveltejs/kit';
import type { z } from 'zod';
import { BodyTooLargeError, readBodyLimited } from '../ingest/http-ingest';

/** The parsed, validated body; throws SvelteKit HTTP errors with a message naming the problem. */
export async function readJson<T extends z.ZodType>(
  request: Request,
  schema: T,
  maxBytes = 64 * 1024,
): Promise<z.infer<T>> {
  let text: string;
  try {
    text = await readBodyLimited(request, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) error(413, `request body is larger than ${maxBytes} bytes`);
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    error(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : 'body';
    error(400, `${where}: ${issue.message}`);
  }
  return parsed.data as z.infer<T>;
}
