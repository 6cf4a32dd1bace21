// The boundary import against a real PostGIS: good files replace street geometry and move sensors; every
// kind of bad file is refused with a message naming the feature, and leaves the database byte-for-byte as it was.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/client';
import { rebuildDerivedGeography } from '../../server/db/repositories/areas.repository';
import * as schema from '../../server/db/schema';
import { importBoundaries, type ImportResult } from '../../server/services/boundary-import.service';
import { generateDemoCity } from '../../server/sim/generate-city';
import { database, engines, resetDatabase, tableCounts } from './support/databases';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const realFile = path.resolve(repoRoot, '../shared/data/shanghai-xuhui-jingan-streets.geojson');
const haveRealFile = existsSync(realFile);
if (!haveRealFile) console.warn(`[boundary-import] ${realFile} not found: real-boundary cases skipped`);

type Ring = [number, number][];

/** A closed rectangle ring, counter-clockwise. */
function rect(west: number, south: number, east: number, north: number): Ring {
  return [
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ];
}

function ewkt(ring: Ring): string {
  return `SRID=4326;MULTIPOLYGON(((${ring.map(([x, y]) => `${x} ${y}`).join(',')})))`;
}

function polygon(name: string, ring: unknown, props: Record<string, unknown> = {}) {
  return {
    type: 'Feature',
    properties: { NAME: name, ...props },
    geometry: { type: 'Polygon', coordinates: [ring] },
  };
}

function fileOf(...features: unknown[]): string {
  return JSON.stringify({ type: 'FeatureCollection', features }, null, 2);
}

// The fixture: two districts with square streets, and sensors placed to be moved by the new boundaries.
const TIANLIN = rect(121.4, 31.17, 121.42, 31.19);
const XUJIAHUI = rect(121.42, 31.17, 121.44, 31.19);
const JINGANSI = rect(121.43, 31.21, 121.45, 31.23);
const SENSORS: { code: string; at: [number, number] }[] = [
  { code: 'S-TIANLIN', at: [121.41, 31.18] },
  { code: 'S-BORDER', at: [121.425, 31.18] }, // in 徐家汇街道 now; 田林街道 once the border moves east
  { code: 'S-JINGANSI', at: [121.44, 31.22] },
  { code: 'S-NOWHERE', at: [121.6, 31.5] },
];

/** Builds the fixture city with drizzle, independent of the demo generator. */
async function seedCity(db: Database): Promise<void> {
  const [xuhui, jingan] = await db.orm
    .insert(schema.districts)
    .values([
      { code: 'xuhui', name: '徐汇区', nameEn: 'Xuhui' },
      { code: 'jingan', name: '静安区', nameEn: "Jing'an" },
    ])
    .returning({ id: schema.districts.id });
  await db.orm.insert(schema.streets).values([
    { districtId: xuhui.id, code: 'xuhui-tianlin', name: '田林街道', nameEn: 'Tianlin', geom: ewkt(TIANLIN) },
    {
      districtId: xuhui.id,
      code: 'xuhui-xujiahui',
      name: '徐家汇街道',
      nameEn: 'Xujiahui',
      geom: ewkt(XUJIAHUI),
    },
    {
      districtId: jingan.id,
      code: 'jingan-jingansi',
      name: '静安寺街道',
      nameEn: "Jing'an Temple",
      geom: ewkt(JINGANSI),
    },
  ]);
  const [manhole] = await db.orm
    .insert(schema.sensorTypes)
    .values({ code: 'manhole', name: '井盖', nameEn: 'Manhole cover' })
    .returning({ id: schema.sensorTypes.id });
  const sensors = await db.orm
    .insert(schema.sensors)
    .values(SENSORS.map((s) => ({ code: s.code, typeId: manhole.id, geom: s.at })))
    .returning({ id: schema.sensors.id });
  await db.orm.insert(schema.sensorState).values(sensors.map((s) => ({ sensorId: s.id, state: 0 })));
  await rebuildDerivedGeography(db);
}

/** Everything an import could touch, to prove a rejected one changed nothing. */
async function snapshot(db: Database) {
  const [digest] = await db.rows<Record<string, string | null>>(sql`
    select
      (select md5(string_agg(ST_AsEWKT(geom), ',' order by id)) from streets) as street_geom,
      (select md5(string_agg(concat_ws(':', id, name, code, district_id, approximate), ',' order by id))
         from streets) as street_rows,
      (select md5(string_agg(concat_ws(':', id, ST_AsEWKT(geom), approximate), ',' order by id))
         from districts) as districts,
      (select md5(string_agg(concat_ws(':', id, street_id, grid_cell_id), ',' order by id)) from sensors) as sensors,
      (select md5(string_agg(concat_ws(':', id, street_id, ST_AsEWKT(geom)), ',' order by id))
         from grid_cells) as grid_cells`);
  return { counts: await tableCounts(db), digest };
}

async function streetOf(db: Database, sensorCode: string): Promise<string | null> {
  const [row] = await db.rows<{ name: string | null }>(sql`
    select st.name from sensors s left join streets st on st.id = s.street_id where s.code = ${sensorCode}`);
  return row.name;
}

function expectRejected(result: ImportResult): string[] {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.summary)}`);
  return result.errors;
}

/** A feature that would import fine, to show that a bad neighbour still blocks the whole file. */
const GOOD = polygon('田林街道', rect(121.4, 31.17, 121.43, 31.19), { cnty: '徐汇区' });

const BAD_FILES: { kind: string; text: string; expected: string }[] = [
  {
    kind: 'malformed JSON',
    text: '{"type": "FeatureCollection", "features": [\n  {"type": "Feature",, }\n]}',
    expected: 'file: malformed JSON at line 2, column 22',
  },
  { kind: 'an empty file', text: '', expected: 'file: the file is empty' },
  {
    kind: 'not a FeatureCollection',
    text: JSON.stringify(GOOD),
    expected: 'file: not a FeatureCollection (its "type" is "Feature")',
  },
  {
    kind: 'a Point geometry',
    text: fileOf(GOOD, {
      type: 'Feature',
      properties: { NAME: '枫林路街道' },
      geometry: { type: 'Point', coordinates: [121.45, 31.19] },
    }),
    expected:
      'feature #2 "枫林路街道": geometry type Point is not accepted; expected Polygon or MultiPolygon',
  },
  {
    kind: 'a bowtie (self-intersecting) polygon',
    text: fileOf(
      GOOD,
      polygon('徐家汇街道', [
        [121.42, 31.17],
        [121.44, 31.19],
        [121.44, 31.17],
        [121.42, 31.19],
        [121.42, 31.17],
      ]),
    ),
    expected: 'feature #2 "徐家汇街道": geometry is not valid: Self-intersection[121.43 31.18]',
  },
  {
    kind: 'longitude 200',
    text: fileOf(GOOD, polygon('徐家汇街道', [[200, 31.17], ...XUJIAHUI.slice(1, 4), [200, 31.17]])),
    expected: 'feature #2 "徐家汇街道": coordinate [200, 31.17] is outside WGS84 longitude range -180..180',
  },
  {
    kind: 'latitude -95',
    text: fileOf(GOOD, polygon('徐家汇街道', [[121.42, -95], ...XUJIAHUI.slice(1, 4), [121.42, -95]])),
    expected: 'feature #2 "徐家汇街道": coordinate [121.42, -95] is outside WGS84 latitude range -90..90',
  },
  {
    kind: 'an unclosed ring',
    text: fileOf(GOOD, polygon('徐家汇街道', XUJIAHUI.slice(0, 4))),
    expected: 'feature #2 "徐家汇街道": ring 1 is not closed',
  },
  {
    kind: 'a missing name',
    text: fileOf(GOOD, {
      type: 'Feature',
      properties: { cnty: '徐汇区' },
      geometry: { type: 'Polygon', coordinates: [XUJIAHUI] },
    }),
    expected: 'feature #2: has no NAME (or name) property',
  },
  {
    kind: 'duplicate names',
    text: fileOf(GOOD, polygon('田林街道', XUJIAHUI)),
    expected: 'feature #2 "田林街道": name duplicates feature #1',
  },
  {
    kind: 'an unknown district',
    text: fileOf(GOOD, polygon('陆家嘴街道', rect(121.5, 31.23, 121.52, 31.25), { cnty: '浦东新区' })),
    expected: 'feature #2 "陆家嘴街道": district "浦东新区" does not exist (known districts: 徐汇区, 静安区)',
  },
  {
    kind: 'a new street outside every district and without a district property',
    text: fileOf(GOOD, polygon('陆家嘴街道', rect(121.5, 31.23, 121.52, 31.25))),
    expected: 'feature #2 "陆家嘴街道": is a new street but names no district',
  },
  {
    kind: 'a new street whose code is taken',
    text: fileOf(
      GOOD,
      polygon('枫林路街道', rect(121.44, 31.17, 121.46, 31.19), { cnty: '徐汇区', id: 'xuhui-tianlin' }),
    ),
    expected: 'feature #2 "枫林路街道": street code "xuhui-tianlin" is already used by street "田林街道"',
  },
];

describe.each(engines())('boundary import on %s', (engine) => {
  let db: Database;
  beforeEach(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await seedCity(db);
  });

  it('replaces geometry by name, inserts new streets and lets PostGIS move the sensors', async () => {
    expect(await streetOf(db, 'S-BORDER')).toBe('徐家汇街道');
    const result = await importBoundaries(
      db,
      fileOf(
        GOOD, // 田林街道 grows east over S-BORDER
        polygon('徐家汇街道', rect(121.43, 31.17, 121.44, 31.19), { cnty: '徐汇区' }),
        // new, district named in the file
        { ...polygon('枫林路街道', rect(121.44, 31.17, 121.46, 31.19), { cnty: '徐汇区', id: 31010406 }) },
        // new, no district property: placed in the district whose outline contains it
        polygon('南京西路街道', rect(121.431, 31.211, 121.436, 31.216)),
      ),
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.summary).toEqual({
      updatedStreets: ['田林街道', '徐家汇街道'],
      insertedStreets: ['枫林路街道', '南京西路街道'],
      untouchedStreets: ['静安寺街道'],
      sensorsReassigned: 1,
      sensorsOutside: 1,
      sensorsTotal: 4,
      gridCells: expect.any(Number),
    });
    expect(result.summary.gridCells).toBeGreaterThan(0);

    expect(await streetOf(db, 'S-BORDER')).toBe('田林街道');
    expect(await streetOf(db, 'S-TIANLIN')).toBe('田林街道');
    expect(await streetOf(db, 'S-JINGANSI')).toBe('静安寺街道');
    expect(await streetOf(db, 'S-NOWHERE')).toBeNull();

    const streets = await db.rows<{
      name: string;
      code: string;
      district: string;
      approximate: boolean;
      kind: string;
      area: number;
      srid: number;
      type: string;
    }>(sql`
      select s.name, s.code, d.name as district, s.approximate, s.kind, ST_Area(s.geom) as area,
             ST_SRID(s.geom) as srid, GeometryType(s.geom) as type
      from streets s join districts d on d.id = s.district_id order by s.id`);
    expect(streets.map((s) => [s.name, s.code, s.district, s.approximate])).toEqual([
      ['田林街道', 'xuhui-tianlin', '徐汇区', false],
      ['徐家汇街道', 'xuhui-xujiahui', '徐汇区', false],
      ['静安寺街道', 'jingan-jingansi', '静安区', true],
      ['枫林路街道', '31010406', '徐汇区', false],
      ['南京西路街道', 'jingan-南京西路街道', '静安区', false],
    ]);
    expect(streets[0].area).toBeCloseTo(0.03 * 0.02, 9);
    expect(streets.every((s) => s.srid === 4326 && s.type === 'MULTIPOLYGON')).toBe(true);

    // District outlines follow their streets; a district is exact only when all its streets are.
    const districts = await db.rows<{ code: string; approximate: boolean; area: number }>(sql`
      select code, approximate, ST_Area(geom) as area from districts order by id`);
    expect(districts[0]).toMatchObject({ code: 'xuhui', approximate: false });
    expect(districts[0].area).toBeCloseTo(0.06 * 0.02, 9);
    expect(districts[1]).toMatchObject({ code: 'jingan', approximate: true });

    // Grid cells were cut from the new streets: every sensor in a street is in one of its cells.
    const [cells] = await db.rows<{ mismatched: number }>(sql`
      select count(*)::int as mismatched from sensors s
      left join grid_cells c on c.id = s.grid_cell_id
      where s.street_id is distinct from c.street_id`);
    expect(cells.mismatched).toBe(0);
  });

  it('accepts MultiPolygon features and 3D positions', async () => {
    const twoParts = {
      type: 'Feature',
      properties: { name: '徐家汇街道', district: '徐汇区' },
      geometry: {
        type: 'MultiPolygon',
        coordinates: [
          [rect(121.42, 31.17, 121.43, 31.175)],
          [rect(121.43, 31.185, 121.44, 31.19).map(([x, y]) => [x, y, 4])],
        ],
      },
    };
    const result = await importBoundaries(db, fileOf(twoParts));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.summary.updatedStreets).toEqual(['徐家汇街道']);
    const [row] = await db.rows<{ parts: number; dims: number }>(sql`
      select ST_NumGeometries(geom) as parts, ST_NDims(geom) as dims from streets where name = '徐家汇街道'`);
    expect(row).toEqual({ parts: 2, dims: 2 });
    expect(await streetOf(db, 'S-BORDER')).toBeNull(); // 121.425, 31.18 is in neither part now
  });

  it.each(BAD_FILES)('rejects $kind, naming the problem, and changes nothing', async ({ text, expected }) => {
    const before = await snapshot(db);
    const errors = expectRejected(await importBoundaries(db, text));
    expect(errors.join('\n')).toContain(expected);
    expect(await snapshot(db)).toEqual(before);
  });

  it('reports every problem of a file at once', async () => {
    const errors = expectRejected(
      await importBoundaries(
        db,
        fileOf(
          polygon('田林街道', [[200, 31.17], ...TIANLIN.slice(1)]),
          polygon('徐家汇街道', XUJIAHUI.slice(0, 4)),
          {
            type: 'Feature',
            properties: {},
            geometry: {
              type: 'LineString',
              coordinates: [
                [121.4, 31.2],
                [121.5, 31.3],
              ],
            },
          },
        ),
      ),
    );
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/^feature #1 "田林街道": coordinate \[200, 31.17\]/);
    expect(errors[1]).toMatch(/^feature #2 "徐家汇街道": ring 1 is not closed/);
    expect(errors[2]).toMatch(/^feature #3: has no NAME/);
    expect(errors[3]).toMatch(/^feature #3: geometry type LineString is not accepted/);
  });

  it.skipIf(!haveRealFile)('imports the real Xuhui / Jing’an boundaries (../shared/data)', async () => {
    // Spread sensors over the two districts' bounding box (and a little beyond it).
    await db.orm.execute(sql`
      insert into sensors (code, type_id, geom)
      select 'GRID-' || i || '-' || j, 1, ST_SetSRID(ST_MakePoint(121.380 + i * 0.005, 31.095 + j * 0.005), 4326)
      from generate_series(0, 20) i, generate_series(0, 46) j`);
    const before = await snapshot(db);
    const result = await importBoundaries(db, readFileSync(realFile, 'utf8'));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const s = result.summary;
    expect([...s.updatedStreets].sort()).toEqual(['徐家汇街道', '田林街道', '静安寺街道'].sort());
    expect(s.insertedStreets).toHaveLength(24);
    expect(s.untouchedStreets).toEqual([]);
    expect(s.sensorsTotal).toBe(before.counts.sensors);
    expect(s.sensorsReassigned).toBeGreaterThan(0);
    await expectEverySensorPlaced(db, s.sensorsOutside);

    const [streets] = await db.rows<{
      n: number;
      exact: number;
      xuhui: number;
      jingan: number;
      codes: number;
    }>(sql`
      select count(*)::int as n, count(*) filter (where not s.approximate)::int as exact,
             count(*) filter (where d.code = 'xuhui')::int as xuhui,
             count(*) filter (where d.code = 'jingan')::int as jingan,
             count(*) filter (where s.code ~ '^[0-9]{8}$')::int as codes
      from streets s join districts d on d.id = s.district_id`);
    expect(streets).toEqual({ n: 27, exact: 27, xuhui: 13, jingan: 14, codes: 24 });
  });

  it.skipIf(!haveRealFile)('imports the real boundaries over a generated demo city', async () => {
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 2000, seed: 'boundary-import' });
    const [demo] = await db.rows<{ n: number }>(sql`select count(*)::int as n from streets`);
    expect(demo.n).toBe(27);

    const result = await importBoundaries(db, readFileSync(realFile, 'utf8'));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.summary.updatedStreets).toHaveLength(27);
    expect(result.summary.insertedStreets).toEqual([]);
    expect(result.summary.untouchedStreets).toEqual([]);
    const [streets] = await db.rows<{ n: number; exact: number }>(sql`
      select count(*)::int as n, count(*) filter (where not approximate)::int as exact from streets`);
    expect(streets).toEqual({ n: 27, exact: 27 });
    await expectEverySensorPlaced(db, result.summary.sensorsOutside);
  });
});

/**
 * Every sensor is in exactly one street (the one recorded, which covers it) or is counted as outside:
 * recomputed here in PostGIS rather than trusting the importer's numbers.
 */
async function expectEverySensorPlaced(db: Database, reportedOutside: number): Promise<void> {
  const [check] = await db.rows<{ outside: number; wrong: number; uncovered: number; twice: number }>(sql`
    select count(*) filter (where s.street_id is null)::int as outside,
           count(*) filter (where s.street_id is not null and not ST_Covers(st.geom, s.geom))::int as wrong,
           count(*) filter (where s.street_id is null and exists (
             select 1 from streets o where ST_Covers(o.geom, s.geom)))::int as uncovered,
           count(*) filter (where (select count(*) from streets o where ST_Covers(o.geom, s.geom)) > 1)::int as twice
    from sensors s left join streets st on st.id = s.street_id`);
  expect(check).toEqual({ outside: reportedOutside, wrong: 0, uncovered: 0, twice: 0 });
}
