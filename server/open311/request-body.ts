// The fields of POST requests as text, from the query string (GeoReport v2 lists them as query parameters)
// overlaid by the body: form-encoded (the Open311 way), multipart form or JSON. Size-limited (413); other
// body types 415; malformed JSON and non-scalar values 400.
import { BodyTooLargeError, readBodyLimited } from '../ingest/http-ingest';
import { Open311Error } from './errors';

/** The largest body accepted: far more than any report's text. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The `attribute[…]` answers the services define (see serviceDefinition); others are dropped. */
const ATTRIBUTES = new Set(['attribute[subject]']);

/** Every field by name (first value wins), without `attribute[…]` answers no service defines. */
export async function readFields(
  request: Request,
  query: URLSearchParams,
  maxBytes = MAX_BODY_BYTES,
): Promise<Record<string, string>> {
  const fields: Record<string, string> = Object.create(null);
  const put = (name: string, value: string) => {
    if ((!name.startsWith('attribute') || ATTRIBUTES.has(name)) && !(name in fields)) fields[name] = value;
  };

  let text: string;
  try {
    text = await readBodyLimited(request, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError)
      throw new Open311Error(413, `request body is larger than ${maxBytes} bytes`);
    throw err;
  }
  const contentType = request.headers.get('content-type') ?? '';
  const type = contentType.split(';')[0].trim().toLowerCase();

  if (text.trim() !== '') {
    if (type === 'application/x-www-form-urlencoded') {
      for (const [k, v] of new URLSearchParams(text)) put(k, v);
    } else if (type === 'multipart/form-data') {
      let form: FormData;
      try {
        form = await new Response(text, { headers: { 'content-type': contentType } }).formData();
      } catch {
        throw new Open311Error(400, 'request body is not valid multipart/form-data');
      }
      for (const [k, v] of form) {
        if (typeof v !== 'string')
          throw new Open311Error(400, `${k}: file uploads are not accepted, send media_url`);
        put(k, v);
      }
    } else if (type === 'application/json') {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new Open311Error(400, `request body is not valid JSON: ${(err as Error).message}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Open311Error(400, 'request body must be a JSON object of fields');
      for (const [k, v] of Object.entries(value)) {
        if (v === null) continue;
        // A JSON client may nest the answers: {"attribute": {"subject": "…"}}.
        if (k === 'attribute' && typeof v === 'object' && !Array.isArray(v)) {
          for (const [a, av] of Object.entries(v as Record<string, unknown>))
            if (typeof av === 'string') put(`attribute[${a}]`, av);
          continue;
        }
        if (k.startsWith('attribute') && !ATTRIBUTES.has(k)) continue;
        if (typeof v === 'string') put(k, v);
        else if (typeof v === 'number' && Number.isFinite(v)) put(k, String(v));
        else throw new Open311Error(400, `${k} must be a string or a number`);
      }
    } else {
      throw new Open311Error(
        415,
        `request body of type "${type || 'unknown'}" is not accepted: send application/x-www-form-urlencoded or application/json`,
      );
    }
  }
  for (const [k, v] of query) put(k, v);
  return fields;
}
