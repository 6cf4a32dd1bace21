// Every way a boundary file can be rejected before it reaches the database, plus the shared GeoJSON fixtures.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  MAX_ERRORS,
  jsonErrorOffset,
  parseGeoJsonText,
  streetKindOf,
  validateBoundaries,
  type BoundaryValidation,
} from './boundary-validation';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixturesDir = path.resolve(repoRoot, '../shared/eval/geojson-schema');
const realFile = path.resolve(repoRoot, '../shared/data/shanghai-xuhui-jingan-streets.geojson');

type Props = Record<string, unknown>;

function square(lon: number, lat: number, size = 0.01): number[][][] {
  return [
    [
      [lon, lat],
      [lon + size, lat],
      [lon + size, lat + size],
      [lon, lat + size],
      [lon, lat],
    ],
  ];
}

function feature(props: Props | null, geometry: unknown): Props {
  return { type: 'Feature', properties: props, geometry };
}

function polygonFeature(name: string, extra: Props = {}, coordinates: unknown = square(121.4, 31.2)): Props {
  return feature({ NAME: name, cnty: '徐汇区', ...extra }, { type: 'Polygon', coordinates });
}

function collection(...features: unknown[]): Props {
  return { type: 'FeatureCollection', features };
}

/** The messages of a rejected validation; fails the test when it was accepted. */
function messages(result: BoundaryValidation): string[] {
  if (result.ok) throw new Error('expected the file to be rejected');
  return result.errors.map((e) => e.message);
}

describe('validateBoundaries: accepted files', () => {
  it('accepts Polygon and MultiPolygon features and reads name, district and code', () => {
    const result = validateBoundaries(
      collection(
        polygonFeature('田林街道', { id: 31010401 }),
        feature(
          { name: '华泾镇', district: '徐汇区', code: 'HJ' },
          { type: 'MultiPolygon', coordinates: [square(121.44, 31.11), square(121.46, 31.11)] },
        ),
        {
          ...feature({ NAME: ' 北站街道 ' }, { type: 'Polygon', coordinates: square(121.46, 31.24) }),
          id: 7,
        },
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.features.map((f) => [f.featureNumber, f.name, f.districtName, f.code, f.kind])).toEqual([
      [1, '田林街道', '徐汇区', '31010401', 'street'],
      [2, '华泾镇', '徐汇区', 'HJ', 'town'],
      [3, '北站街道', null, '7', 'street'],
    ]);
    expect(result.features[1].geometry.type).toBe('MultiPolygon');
  });

  it('accepts 3D positions, holes and a WGS84 crs declaration', () => {
    const withHole = [
      ...square(121.4, 31.2, 0.1),
      [
        [121.42, 31.22, 5],
        [121.42, 31.24, 5],
        [121.44, 31.24, 5],
        [121.42, 31.22, 5],
      ],
    ];
    const doc = {
      ...collection(polygonFeature('田林街道', {}, withHole)),
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } },
    };
    expect(validateBoundaries(doc).ok).toBe(true);
  });

  it('classifies 镇 as towns and everything else as streets', () => {
    expect(streetKindOf('彭浦镇')).toBe('town');
    expect(streetKindOf('彭浦新村街道')).toBe('street');
  });

  it.skipIf(!existsSync(realFile))('accepts the real Xuhui / Jing’an boundary file (../shared/data)', () => {
    const parsed = parseGeoJsonText(readFileSync(realFile, 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const result = validateBoundaries(parsed.value);
    expect(result.ok && result.features.length).toBe(27);
    if (!result.ok) return;
    expect(new Set(result.features.map((f) => f.districtName))).toEqual(new Set(['徐汇区', '静安区']));
    expect(result.features.every((f) => /^\d{8}$/.test(f.code ?? ''))).toBe(true);
  });
});

describe('validateBoundaries: whole-file problems', () => {
  it.each([
    ['an array', [], 'expected a GeoJSON FeatureCollection object, found an array'],
    ['a string', 'streets', 'found the string "streets"'],
    ['null', null, 'found null'],
    ['a Feature', polygonFeature('田林街道'), 'not a FeatureCollection (its "type" is "Feature")'],
    ['a bare Polygon', { type: 'Polygon', coordinates: square(0, 0) }, 'its "type" is "Polygon"'],
    ['no type', { features: [] }, 'it has no "type" member'],
    ['no features', { type: 'FeatureCollection' }, 'has no "features" array'],
    ['features not an array', { type: 'FeatureCollection', features: {} }, '"features" must be an array'],
    ['empty features', collection(), 'the FeatureCollection has no features'],
    [
      'a projected crs',
      { ...collection(polygonFeature('田林街道')), crs: { type: 'name', properties: { name: 'EPSG:3857' } } },
      'declares coordinate reference system "EPSG:3857"',
    ],
  ])('rejects %s', (_label, doc, expected) => {
    const result = messages(validateBoundaries(doc));
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(/^file: /);
    expect(result[0]).toContain(expected);
  });
});

describe('validateBoundaries: feature problems name the feature and the problem', () => {
  const ok = polygonFeature('徐家汇街道');
  it.each([
    ['a non-object feature', 42, 'feature #2: expected a Feature object, found number 42'],
    [
      'a wrong feature type',
      { ...polygonFeature('田林街道'), type: 'Polygon' },
      'feature #2 "田林街道": has type "Polygon"; expected "Feature"',
    ],
    [
      'Point geometry',
      feature({ NAME: '田林街道' }, { type: 'Point', coordinates: [121.4, 31.2] }),
      'feature #2 "田林街道": geometry type Point is not accepted; expected Polygon or MultiPolygon',
    ],
    [
      'LineString geometry',
      feature(
        { NAME: '田林街道' },
        {
          type: 'LineString',
          coordinates: [
            [121.4, 31.2],
            [121.5, 31.3],
          ],
        },
      ),
      'geometry type LineString is not accepted',
    ],
    [
      'GeometryCollection geometry',
      feature({ NAME: '田林街道' }, { type: 'GeometryCollection', geometries: [] }),
      'geometry type GeometryCollection is not accepted',
    ],
    [
      'null geometry',
      feature({ NAME: '田林街道' }, null),
      'feature #2 "田林街道": geometry is null; expected a Polygon or MultiPolygon',
    ],
    ['missing geometry', { type: 'Feature', properties: { NAME: '田林街道' } }, 'has no "geometry" member'],
    [
      'geometry without coordinates',
      feature({ NAME: '田林街道' }, { type: 'Polygon' }),
      'feature #2 "田林街道": Polygon has no "coordinates" array',
    ],
    ['empty coordinates', feature({ NAME: '田林街道' }, { type: 'Polygon', coordinates: [] }), 'has empty'],
    [
      'longitude out of range',
      polygonFeature('田林街道', {}, [
        [
          [200, 31.1],
          [121.5, 31.1],
          [121.5, 31.2],
          [200, 31.1],
        ],
      ]),
      'feature #2 "田林街道": coordinate [200, 31.1] is outside WGS84 longitude range -180..180 (ring 1, position 1)',
    ],
    [
      'latitude out of range',
      polygonFeature('田林街道', {}, [
        [
          [121.4, -95],
          [121.5, 31.1],
          [121.5, 31.2],
          [121.4, -95],
        ],
      ]),
      'coordinate [121.4, -95] is outside WGS84 latitude range -90..90 (ring 1, position 1)',
    ],
    [
      'a one-number position',
      polygonFeature('田林街道', {}, [[[121.4], [121.5, 31.1], [121.5, 31.2], [121.4, 31.1]]]),
      'position has 1 number; expected [lon, lat] or [lon, lat, height] (ring 1, position 1)',
    ],
    [
      'a non-numeric position',
      polygonFeature('田林街道', {}, [
        [
          [121.4, '31.1'],
          [121.5, 31.1],
          [121.5, 31.2],
          [121.4, 31.1],
        ],
      ]),
      'position must hold finite numbers, found [121.4,"31.1"] (ring 1, position 1)',
    ],
    [
      'an infinite number (1e999 in the file)',
      polygonFeature('田林街道', {}, [
        [
          [Infinity, 31.1],
          [121.5, 31.1],
          [121.5, 31.2],
          [121.4, 31.1],
        ],
      ]),
      'position must hold finite numbers',
    ],
    [
      'an unclosed ring',
      polygonFeature('田林街道', {}, [
        [
          [121.4, 31.1],
          [121.5, 31.1],
          [121.5, 31.2],
          [121.4, 31.2],
        ],
      ]),
      'feature #2 "田林街道": ring 1 is not closed: it starts at [121.4, 31.1] but ends at [121.4, 31.2]',
    ],
    [
      'a ring with too few positions',
      polygonFeature('田林街道', {}, [
        [
          [121.4, 31.1],
          [121.5, 31.1],
          [121.4, 31.1],
        ],
      ]),
      'ring 1 has 3 positions; a ring needs at least 4',
    ],
    [
      'a ring that is not an array',
      polygonFeature('田林街道', {}, ['ring']),
      'ring 1 must be an array of positions, found the string "ring"',
    ],
    [
      'an empty polygon inside a MultiPolygon',
      feature({ NAME: '田林街道' }, { type: 'MultiPolygon', coordinates: [square(121.4, 31.2), []] }),
      'polygon 2 must be a non-empty array of rings',
    ],
    [
      'a bad ring inside a MultiPolygon',
      feature(
        { NAME: '田林街道' },
        { type: 'MultiPolygon', coordinates: [square(121.4, 31.2), square(121.5, 91.2)] },
      ),
      'is outside WGS84 latitude range -90..90 (polygon 2, ring 1, position 1)',
    ],
    [
      'a missing name',
      feature({ cnty: '徐汇区' }, { type: 'Polygon', coordinates: square(121.4, 31.2) }),
      'feature #2: has no NAME (or name) property; every street needs a name',
    ],
    [
      'an empty name',
      feature({ NAME: '  ' }, { type: 'Polygon', coordinates: square(121.4, 31.2) }),
      'feature #2: property NAME must be a non-empty string, found the string "  "',
    ],
    [
      'a numeric name',
      feature({ name: 12 }, { type: 'Polygon', coordinates: square(121.4, 31.2) }),
      'property name must be a non-empty string, found number 12',
    ],
    [
      'missing properties',
      feature(null, { type: 'Polygon', coordinates: square(121.4, 31.2) }),
      'feature #2: has no "properties" object (found null); a NAME property is required',
    ],
    [
      'an empty district',
      polygonFeature('田林街道', { cnty: '' }),
      'feature #2 "田林街道": property cnty must be a non-empty string',
    ],
    [
      'a duplicate name',
      polygonFeature('徐家汇街道'),
      'feature #2 "徐家汇街道": name duplicates feature #1; names must be unique',
    ],
  ])('rejects %s', (_label, bad, expected) => {
    const result = messages(validateBoundaries(collection(ok, bad)));
    expect(result.join('\n')).toContain(expected);
  });

  it('collects problems from every feature, not just the first', () => {
    const result = messages(
      validateBoundaries(
        collection(
          feature({ NAME: 'A' }, { type: 'Point', coordinates: [0, 0] }),
          polygonFeature('B'),
          feature({ NAME: 'C' }, null),
          feature({}, { type: 'Polygon', coordinates: square(0, 0) }),
        ),
      ),
    );
    expect(result).toEqual([
      'feature #1 "A": geometry type Point is not accepted; expected Polygon or MultiPolygon',
      'feature #3 "C": geometry is null; expected a Polygon or MultiPolygon',
      'feature #4: has no NAME (or name) property; every street needs a name',
    ]);
  });

  it('reports several problems of one feature together', () => {
    const result = messages(
      validateBoundaries(collection(feature({}, { type: 'Point', coordinates: [0, 0] }))),
    );
    expect(result).toEqual([
      'feature #1: has no NAME (or name) property; every street needs a name',
      'feature #1: geometry type Point is not accepted; expected Polygon or MultiPolygon',
    ]);
  });

  it('caps coordinate problems per feature and errors per file', () => {
    const swapped = [
      [
        [31.1, 121.4],
        [31.1, 121.5],
        [31.2, 121.5],
        [31.2, 121.4],
        [31.1, 121.4],
      ],
    ];
    const one = messages(validateBoundaries(collection(polygonFeature('田林街道', {}, swapped))));
    expect(one).toHaveLength(4);
    expect(one[3]).toBe('feature #1 "田林街道": 2 more coordinate problems in this feature');

    const many = Array.from({ length: 80 }, (_, i) => feature({ NAME: `s${i}` }, null));
    const capped = messages(validateBoundaries(collection(...many)));
    expect(capped).toHaveLength(MAX_ERRORS + 1);
    expect(capped[MAX_ERRORS]).toBe('file: 30 more problems not listed');
  });
});

describe('parseGeoJsonText', () => {
  it('parses JSON and ignores a byte-order mark', () => {
    expect(parseGeoJsonText('\ufeff{"type":"FeatureCollection"}')).toEqual({
      ok: true,
      value: { type: 'FeatureCollection' },
    });
  });

  it.each([
    ['', 'file: the file is empty'],
    ['   \n', 'file: the file is empty'],
    ['{"type": }', 'file: malformed JSON at line 1, column 10 (character 10)'],
    ['{\n  "type": "FeatureCollection",\n  "features": [1 2]\n}', 'line 3, column 18 (character 51)'],
    ['{"a": 1', 'line 1, column 8 (character 8)'],
    ['{"a": 1,}', 'line 1, column 9 (character 9)'],
    ['{"a": tru}', 'line 1, column 10'],
    ['{"a": "x\ny"}', 'line 1, column 9'],
    ['{} x', 'line 1, column 4'],
  ])('reports malformed JSON %j with its position', (text, expected) => {
    const result = parseGeoJsonText(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.featureNumber).toBeNull();
    expect(result.error.message).toContain(expected);
  });

  it('keeps the parser’s reason without the engine’s echo of the text', () => {
    const result = parseGeoJsonText('{"type": }');
    expect(!result.ok && result.error.message).toMatch(
      /^file: malformed JSON at line 1, column 10 \(character 10\): \S/,
    );
    expect(!result.ok && result.error.message).not.toContain('is not valid JSON');
  });

  it('locates errors the same way as JSON.parse rejects them', () => {
    for (const text of ['[1,]', '{"a":01}', '"\\x"', '[-]', '{"a" 1}', 'nul', '[1e]', '{"\\u12"}']) {
      expect(() => JSON.parse(text)).toThrow();
      expect(jsonErrorOffset(text)).toBeLessThanOrEqual(text.length);
    }
    expect(jsonErrorOffset('{"a":01}')).toBe(6);
    expect(jsonErrorOffset('[1,]')).toBe(3);
  });
});

/** Every JSON file under a fixture folder, as [relative path, text]. */
function fixtureFiles(kind: 'valid' | 'invalid'): [string, string][] {
  const root = path.join(fixturesDir, kind);
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.json'))
        out.push([path.relative(root, full), readFileSync(full, 'utf8')]);
    }
  };
  walk(root);
  return out.sort(([a], [b]) => a.localeCompare(b));
}

const haveFixtures =
  existsSync(path.join(fixturesDir, 'valid')) && existsSync(path.join(fixturesDir, 'invalid'));
if (!haveFixtures)
  console.warn(`[boundary-validation] ${fixturesDir} not found: shared GeoJSON fixtures skipped`);

describe.skipIf(!haveFixtures)('shared GeoJSON fixtures (../shared/eval/geojson-schema)', () => {
  const check = (text: string) => {
    const parsed = parseGeoJsonText(text);
    return parsed.ok ? validateBoundaries(parsed.value) : ({ ok: false, errors: [parsed.error] } as const);
  };

  it('rejects every invalid fixture with a clear message', () => {
    const files = fixtureFiles('invalid');
    expect(files.length).toBeGreaterThan(0);
    for (const [name, text] of files) {
      const result = check(text);
      expect(result.ok, name).toBe(false);
      if (result.ok) continue;
      for (const e of result.errors)
        expect(e.message, name).toMatch(/^(file|feature #\d+( "[^"]+")?): \S.{10,}/);
    }
  });

  it('answers every valid fixture without crashing: accepted, or rejected with a clear reason', () => {
    const files = fixtureFiles('valid');
    expect(files.length).toBeGreaterThan(0);
    for (const [name, text] of files) {
      const result = check(text);
      if (result.ok) {
        expect(result.features.length, name).toBeGreaterThan(0);
        continue;
      }
      for (const e of result.errors)
        expect(e.message, name).toMatch(/^(file|feature #\d+( "[^"]+")?): \S.{10,}/);
      // A valid GeoJSON that is not a FeatureCollection is still not a boundary file.
      const doc = JSON.parse(text) as { type?: string };
      if (doc.type !== 'FeatureCollection')
        expect(result.errors[0].message, name).toContain('not a FeatureCollection');
    }
  });
});
