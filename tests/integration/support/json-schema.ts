// The Open311 GeoReport v2 JSON Schemas of the evaluation set (never copied into the project), compiled with
// ajv (already in node_modules through eslint). Absent set → `available: false` and the reason, so the
// tests skip only that assertion and say why.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BASE = 'https://open311.schemas.test/';

/** Documents there is a schema for: the eval set's files, plus POST and token answers from swagger.json. */
export type Open311SchemaName = 'services' | 'service-definition' | 'requests' | 'created' | 'tokens';

export type Open311Schemas =
  | { available: true; dir: string; problems(name: Open311SchemaName, data: unknown): string[] }
  | { available: false; dir: string; reason: string };

/**
 * Swagger 2.0 cannot say "or null", while the spec's own examples answer `"account_id": null`: let every
 * optional typed property of the swagger definitions also be null, as the eval set's JSON Schemas do.
 */
function nullable(definitions: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(definitions)) {
    const d = def as { required?: string[]; properties?: Record<string, { type?: string }> };
    const properties = Object.fromEntries(
      Object.entries(d.properties ?? {}).map(([k, p]) => [
        k,
        p.type && !d.required?.includes(k) ? { ...p, type: [p.type, 'null'] } : p,
      ]),
    );
    out[name] = { ...d, properties };
  }
  return out;
}

/** The schemas in `$EVAL_DIR/open311-schema` (default ../shared/eval, from the repository root). */
export function open311Schemas(): Open311Schemas {
  const dir = path.resolve(REPO_ROOT, process.env.EVAL_DIR ?? '../shared/eval', 'open311-schema');
  const files = ['services', 'service', 'service-definition', 'requests', 'request', 'swagger'];
  const missing = files.filter((f) => !fs.existsSync(path.join(dir, `${f}.json`)));
  if (missing.length)
    return {
      available: false,
      dir,
      reason: `Open311 schemas not found in ${dir} (missing ${missing.join(', ')})`,
    };

  const read = (f: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, `${f}.json`), 'utf8')) as Record<string, unknown>;
  // ajv 6: the eval files put keywords beside $ref (ignored, as draft-07 says) and swagger uses format "uid".
  const ajv = new Ajv({ allErrors: true, unknownFormats: 'ignore', extendRefs: 'ignore', logger: false });
  for (const f of ['service', 'request', 'services', 'service-definition', 'requests'])
    ajv.addSchema({ ...read(f), $id: `${BASE}${f}.json` });
  const swagger = read('swagger') as { definitions: Record<string, unknown> };
  ajv.addSchema({ $id: `${BASE}swagger.json`, definitions: nullable(swagger.definitions) });
  const arrayOf = (def: string) => ({
    type: 'array',
    items: { $ref: `${BASE}swagger.json#/definitions/${def}` },
  });
  const validators = {
    services: ajv.getSchema(`${BASE}services.json`)!,
    'service-definition': ajv.getSchema(`${BASE}service-definition.json`)!,
    requests: ajv.getSchema(`${BASE}requests.json`)!,
    created: ajv.compile(arrayOf('RequestResponse')),
    tokens: ajv.compile(arrayOf('TokenResponse')),
  };
  return {
    available: true,
    dir,
    problems(name, data) {
      const validate = validators[name];
      if (validate(data)) return [];
      return (validate.errors ?? []).map((e) => `${e.dataPath || '(root)'} ${e.message}`);
    },
  };
}
