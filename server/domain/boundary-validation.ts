// Pure checks of a street-boundary GeoJSON file before it reaches the database: structure, geometry types,
// coordinate ranges, ring closure and names. Every problem names the feature, so an operator can fix the file.

/** A GeoJSON position: longitude, latitude and an optional height (ignored on import). */
export type Position = [number, number] | [number, number, number];

/** A Polygon or MultiPolygon exactly as it was in the file (already checked). */
export type BoundaryGeometry =
  { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };

/** One feature that passed every check in this module. */
export interface ValidBoundary {
  /** 1-based position of the feature in the file's `features` array, as used in messages. */
  featureNumber: number;
  /** The street name, from the NAME or name property, trimmed. */
  name: string;
  /** The district name from the cnty or district property, or null when the file does not say. */
  districtName: string | null;
  /** The street's code from the id / code property or the feature id, or null when absent. */
  code: string | null;
  /** "town" for names ending in 镇, otherwise "street" (the streets.kind vocabulary). */
  kind: 'street' | 'town';
  /** The boundary, Polygon or MultiPolygon, with the file's coordinates. */
  geometry: BoundaryGeometry;
}

/** One problem found in the file. */
export interface BoundaryError {
  /** 1-based feature position, or null when the problem concerns the whole file. */
  featureNumber: number | null;
  /** The feature's name when it has one. */
  featureName: string | null;
  /** The problem in plain English, without the feature prefix. */
  problem: string;
  /** The full line to show: `feature #3 "田林街道": <problem>` or `file: <problem>`. */
  message: string;
}

/** Outcome of `validateBoundaries`. */
export type BoundaryValidation =
  { ok: true; features: ValidBoundary[] } | { ok: false; errors: BoundaryError[] };

/** Outcome of `parseGeoJsonText`. */
export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: BoundaryError };

/** More errors than this are summarised in one last line: nobody reads the 51st. */
export const MAX_ERRORS = 50;
/** Coordinate problems listed per feature; a file with swapped lon/lat would otherwise flood the report. */
const MAX_COORDINATE_ERRORS_PER_FEATURE = 3;

const NAME_KEYS = ['NAME', 'name'] as const;
const DISTRICT_KEYS = ['cnty', 'district'] as const;
const CODE_KEYS = ['id', 'code'] as const;

/** Builds an error line; `featureNumber` null means the whole file. */
export function boundaryError(
  featureNumber: number | null,
  featureName: string | null,
  problem: string,
): BoundaryError {
  const where =
    featureNumber === null ? 'file' : `feature #${featureNumber}${featureName ? ` "${featureName}"` : ''}`;
  return { featureNumber, featureName, problem, message: `${where}: ${problem}` };
}

/**
 * Parses the file's text. Malformed JSON is reported with line, column and character position, computed
 * here rather than read from the engine's message because V8 omits the position for some errors.
 */
export function parseGeoJsonText(text: string): ParsedJson {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // GIS tools on Windows write a BOM
  if (body.trim() === '') return { ok: false, error: boundaryError(null, null, 'the file is empty') };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    const offset = jsonErrorOffset(body);
    const { line, column } = lineAndColumn(body, offset);
    const reason = (err as Error).message
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '');
    return {
      ok: false,
      error: boundaryError(
        null,
        null,
        `malformed JSON at line ${line}, column ${column} (character ${offset + 1}): ${reason}`,
      ),
    };
  }
}

/** Checks a parsed document; collects every problem (up to MAX_ERRORS) instead of stopping at the first. */
export function validateBoundaries(doc: unknown): BoundaryValidation {
  const errors: BoundaryError[] = [];
  const fileProblem = checkCollection(doc);
  if (fileProblem) return { ok: false, errors: [boundaryError(null, null, fileProblem)] };

  const rawFeatures = (doc as { features: unknown[] }).features;
  const features: ValidBoundary[] = [];
  const firstByName = new Map<string, number>();
  rawFeatures.forEach((raw, i) => {
    const n = i + 1;
    const { name, valid } = checkFeature(raw, n, errors);
    // Names are the key that matches a feature to a stored street, so two features with one name are
    // ambiguous even when both are otherwise fine.
    const first = name === null ? undefined : firstByName.get(name);
    if (name !== null && first !== undefined) {
      errors.push(boundaryError(n, name, `name duplicates feature #${first}; names must be unique`));
    } else {
      if (name !== null) firstByName.set(name, n);
      if (valid) features.push(valid);
    }
  });

  if (errors.length === 0) return { ok: true, features };
  if (errors.length > MAX_ERRORS) {
    const more = errors.length - MAX_ERRORS;
    errors.length = MAX_ERRORS;
    errors.push(boundaryError(null, null, `${more} more problem${more === 1 ? '' : 's'} not listed`));
  }
  return { ok: false, errors };
}

/** "town" for 镇 (towns), "street" for everything else (街道 and unknown suffixes). */
export function streetKindOf(name: string): 'street' | 'town' {
  return name.endsWith('镇') ? 'town' : 'street';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** The whole-file checks; returns the problem or null. */
function checkCollection(doc: unknown): string | null {
  if (!isObject(doc)) return `expected a GeoJSON FeatureCollection object, found ${describeValue(doc)}`;
  if (doc.type !== 'FeatureCollection') {
    const found = typeof doc.type === 'string' ? `its "type" is "${doc.type}"` : 'it has no "type" member';
    return `not a FeatureCollection (${found}); the file must be a FeatureCollection of street polygons`;
  }
  const crsProblem = checkCrs(doc.crs);
  if (crsProblem) return crsProblem;
  if (!('features' in doc)) return 'the FeatureCollection has no "features" array';
  if (!Array.isArray(doc.features))
    return `"features" must be an array, found ${describeValue(doc.features)}`;
  if (doc.features.length === 0) return 'the FeatureCollection has no features';
  return null;
}

/** Old (2008) GeoJSON may declare a projected CRS; its metres would otherwise fail as "out of range". */
function checkCrs(crs: unknown): string | null {
  if (crs === undefined || crs === null) return null;
  const name = isObject(crs) && isObject(crs.properties) ? crs.properties.name : undefined;
  if (typeof name === 'string' && /CRS84|EPSG:{1,2}4326$/i.test(name)) return null;
  return `the file declares coordinate reference system ${typeof name === 'string' ? `"${name}"` : describeValue(crs)}; only WGS84 longitude/latitude (EPSG:4326 / CRS84) is accepted`;
}

function stringProperty(
  props: Record<string, unknown>,
  keys: readonly string[],
): { key: string; value: unknown } | null {
  for (const key of keys)
    if (props[key] !== undefined && props[key] !== null) return { key, value: props[key] };
  return null;
}

/** Checks one feature, pushing its problems; returns its name (when readable) and the valid boundary or null. */
function checkFeature(
  raw: unknown,
  n: number,
  errors: BoundaryError[],
): { name: string | null; valid: ValidBoundary | null } {
  if (!isObject(raw)) {
    errors.push(boundaryError(n, null, `expected a Feature object, found ${describeValue(raw)}`));
    return { name: null, valid: null };
  }
  const props = isObject(raw.properties) ? raw.properties : null;
  const nameProp = props ? stringProperty(props, NAME_KEYS) : null;
  const name =
    typeof nameProp?.value === 'string' && nameProp.value.trim() !== '' ? nameProp.value.trim() : null;
  const fail = (problem: string) => errors.push(boundaryError(n, name, problem));
  const before = errors.length;

  if (raw.type !== 'Feature') {
    fail(
      typeof raw.type === 'string'
        ? `has type "${raw.type}"; expected "Feature"`
        : 'has no "type": "Feature" member',
    );
  }
  if (!props) {
    fail(`has no "properties" object (found ${describeValue(raw.properties)}); a NAME property is required`);
  } else if (!nameProp) {
    fail('has no NAME (or name) property; every street needs a name');
  } else if (name === null) {
    fail(`property ${nameProp.key} must be a non-empty string, found ${describeValue(nameProp.value)}`);
  }

  let districtName: string | null = null;
  const districtProp = props ? stringProperty(props, DISTRICT_KEYS) : null;
  if (districtProp) {
    if (typeof districtProp.value === 'string' && districtProp.value.trim() !== '') {
      districtName = districtProp.value.trim();
    } else {
      fail(
        `property ${districtProp.key} must be a non-empty string, found ${describeValue(districtProp.value)}`,
      );
    }
  }

  const codeProp = props ? stringProperty(props, CODE_KEYS) : null;
  const codeValue = codeProp?.value ?? raw.id;
  const code =
    typeof codeValue === 'string' && codeValue.trim() !== ''
      ? codeValue.trim()
      : typeof codeValue === 'number' && Number.isFinite(codeValue)
        ? String(codeValue)
        : null;

  const geometry = checkGeometry(raw, fail);
  if (errors.length > before || name === null || geometry === null) return { name, valid: null };
  return { name, valid: { featureNumber: n, name, districtName, code, kind: streetKindOf(name), geometry } };
}

function checkGeometry(
  raw: Record<string, unknown>,
  fail: (problem: string) => void,
): BoundaryGeometry | null {
  if (!('geometry' in raw)) {
    fail('has no "geometry" member; expected a Polygon or MultiPolygon');
    return null;
  }
  const geom = raw.geometry;
  if (geom === null) {
    fail('geometry is null; expected a Polygon or MultiPolygon');
    return null;
  }
  if (!isObject(geom)) {
    fail(`geometry must be an object, found ${describeValue(geom)}`);
    return null;
  }
  if (geom.type !== 'Polygon' && geom.type !== 'MultiPolygon') {
    const found =
      typeof geom.type === 'string' ? `geometry type ${geom.type}` : 'a geometry without a "type"';
    fail(`${found} is not accepted; expected Polygon or MultiPolygon`);
    return null;
  }
  const coords = geom.coordinates;
  if (!Array.isArray(coords)) {
    fail(`${geom.type} has no "coordinates" array`);
    return null;
  }
  if (coords.length === 0) {
    fail(`${geom.type} has empty "coordinates"`);
    return null;
  }
  const coordinateProblems: string[] = [];
  if (geom.type === 'Polygon') {
    checkPolygon(coords, '', coordinateProblems);
  } else {
    coords.forEach((polygon, p) => {
      if (!Array.isArray(polygon) || polygon.length === 0) {
        coordinateProblems.push(`polygon ${p + 1} must be a non-empty array of rings`);
      } else {
        checkPolygon(polygon, `polygon ${p + 1}, `, coordinateProblems);
      }
    });
  }
  coordinateProblems.slice(0, MAX_COORDINATE_ERRORS_PER_FEATURE).forEach(fail);
  const hidden = coordinateProblems.length - MAX_COORDINATE_ERRORS_PER_FEATURE;
  if (hidden > 0) fail(`${hidden} more coordinate problem${hidden === 1 ? '' : 's'} in this feature`);
  if (coordinateProblems.length > 0) return null;
  return { type: geom.type, coordinates: coords } as BoundaryGeometry;
}

/** Checks the rings of one polygon; `where` prefixes locations inside a MultiPolygon. */
function checkPolygon(rings: unknown[], where: string, problems: string[]): void {
  rings.forEach((ring, r) => {
    const at = `${where}ring ${r + 1}`;
    if (!Array.isArray(ring)) {
      problems.push(`${at} must be an array of positions, found ${describeValue(ring)}`);
      return;
    }
    let positionsOk = true;
    ring.forEach((pos, k) => {
      const problem = checkPosition(pos);
      if (problem) {
        positionsOk = false;
        problems.push(`${problem} (${at}, position ${k + 1})`);
      }
    });
    if (ring.length < 4) {
      problems.push(
        `${at} has ${ring.length} position${ring.length === 1 ? '' : 's'}; a ring needs at least 4`,
      );
    } else if (positionsOk) {
      const first = ring[0] as number[];
      const last = ring[ring.length - 1] as number[];
      if (first[0] !== last[0] || first[1] !== last[1]) {
        problems.push(
          `${at} is not closed: it starts at ${formatPosition(first)} but ends at ${formatPosition(last)}`,
        );
      }
    }
  });
}

/** Returns the problem with one position, or null; the caller appends where it is. */
function checkPosition(pos: unknown): string | null {
  if (!Array.isArray(pos)) return `position must be an array [lon, lat], found ${describeValue(pos)}`;
  if (pos.length < 2 || pos.length > 3) {
    return `position has ${pos.length} number${pos.length === 1 ? '' : 's'}; expected [lon, lat] or [lon, lat, height]`;
  }
  if (!pos.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return `position must hold finite numbers, found ${JSON.stringify(pos)}`;
  }
  const [lon, lat] = pos as number[];
  if (lon < -180 || lon > 180) {
    return `coordinate ${formatPosition(pos)} is outside WGS84 longitude range -180..180`;
  }
  if (lat < -90 || lat > 90)
    return `coordinate ${formatPosition(pos)} is outside WGS84 latitude range -90..90`;
  return null;
}

function formatPosition(pos: unknown[]): string {
  return `[${pos.map((v) => String(v)).join(', ')}]`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Offset of the first syntax error in text that JSON.parse rejected: a small recursive-descent scanner
 * that only walks the grammar. Returns text.length for unexpected end of input.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  class Stop {
    constructor(readonly at: number) {}
  }
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) throw new Stop(i);
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 0x20) throw new Stop(i);
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop(i);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Stop(i);
      } else i++;
    }
    throw new Stop(text.length);
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) throw new Stop(i);
    i += m[0].length;
  };
  const value = (): void => {
    ws();
    if (i >= text.length) throw new Stop(text.length);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Stop(i >= text.length ? text.length : i);
        string();
        ws();
        expect(':');
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else throw new Stop(i);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else throw new Stop(i);
      }
    }
    if (c === '"') return string();
    if (c === 't') return expect('true');
    if (c === 'f') return expect('false');
    if (c === 'n') return expect('null');
    return number();
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (e) {
    if (e instanceof Stop) return Math.min(e.at, text.length);
    throw e;
  }
}
