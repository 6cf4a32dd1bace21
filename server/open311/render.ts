// Open311 documents as HTTP responses: JSON, or XML with the element names of GeoReport v2
// (<services><service>, <service_requests><request>, <service_definition>, <errors><error>). UTF-8 both.
import { Open311Error } from './errors';
import type {
  Open311Created,
  Open311ErrorEntry,
  Open311Format,
  Open311Request,
  Open311ServiceDefinition,
  Open311ServiceEntry,
  Open311TokenEntry,
} from './types';
import { xmlDocument, type XmlValue } from './xml';

/** What an endpoint answers, by the XML root it is written under. */
export type Open311Document =
  | { root: 'services'; data: Open311ServiceEntry[] }
  | { root: 'service_definition'; data: Open311ServiceDefinition }
  | { root: 'service_requests'; data: Open311Request[] | Open311Created[] | Open311TokenEntry[] }
  | { root: 'errors'; data: Open311ErrorEntry[] };

/** The element each list's entries are written as. */
const ITEM_NAMES = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
} as const;

export const CONTENT_TYPES: Record<Open311Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

/** The document as a response in the format asked for. */
export function render(format: Open311Format, doc: Open311Document, status = 200): Response {
  const body =
    format === 'json'
      ? JSON.stringify(doc.data)
      : xmlDocument(doc.root, doc.data as unknown as XmlValue, ITEM_NAMES);
  return new Response(body, {
    status,
    headers: { 'content-type': CONTENT_TYPES[format], 'cache-control': 'no-store' },
  });
}

/** An Open311 error document: `[{ code, description }]`, status = code. */
export function renderError(format: Open311Format, err: Open311Error): Response {
  return render(
    format,
    { root: 'errors', data: [{ code: err.status, description: err.description }] },
    err.status,
  );
}
