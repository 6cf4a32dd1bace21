import { VectorTile } from '@mapbox/vector-tile';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PbfReader } from 'pbf';
import { afterAll, describe, expect, it } from 'vitest';
import { BasemapError, openBasemap } from './archive';
import { BasemapInputError, buildBasemap, readSource, tileOf } from './build';
import { classify, mergeStations } from './layers';
import { OsmXmlError, parseOsmXml } from './osm-xml';
import { writePmtiles } from './pmtiles-writer';
import { parseTileAddress } from './tile-address';

const dir = mkdtempSync(path.join(tmpdir(), 'citynerve-basemap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function decode(gz: Buffer): VectorTile {
  return new VectorTile(new PbfReader(gunzipSync(gz)));
}

function namesIn(tile: VectorTile, layer: string): string[] {
  const l = tile.layers[layer];
  if (!l) return [];
  return Array.from({ length: l.length }, (_, i) => String(l.feature(i).properties.name ?? ''));
}

const line = (coordinates: number[][]) => ({ type: 'LineString' as const, coordinates });

describe('classify', () => {
  it('sorts OSM tags into the Protomaps-schema layers and kinds', () => {
    const road = line([
      [121.47, 31.23],
      [121.48, 31.23],
    ]);
    expect(classify(road, { highway: 'trunk', name: '南北高架路' })).toMatchObject({
      layer: 'roads',
      feature: { properties: { kind: 'highway', name: '南北高架路', sort_rank: 4 } },
    });
    expect(classify(road, { highway: 'tertiary' })?.feature.properties.kind).toBe('major_road');
    expect(classify(road, { highway: 'residential' })?.feature.properties.kind).toBe('minor_road');
    expect(classify(road, { highway: 'footway' })?.feature.properties.kind).toBe('path');
    expect(classify(road, { waterway: 'river', name: '苏州河' })).toMatchObject({
      layer: 'water',
      feature: { properties: { kind: 'river' } },
    });
    const ring = line([
      [121.47, 31.23],
      [121.48, 31.23],
      [121.48, 31.24],
      [121.47, 31.23],
    ]);
    const pond = classify(ring, { natural: 'water' });
    expect(pond?.layer).toBe('water');
    expect(pond?.feature.geometry.type).toBe('Polygon');
    expect(classify(ring, { leisure: 'park', name: '静安公园' })).toMatchObject({
      layer: 'landuse',
      feature: { properties: { kind: 'park', name: '静安公园' } },
    });
    const point = { type: 'Point' as const, coordinates: [121.45, 31.22] };
    expect(
      classify(point, { railway: 'station', station: 'subway', name: '静安寺', 'name:en': "Jing'an Temple" }),
    ).toMatchObject({
      layer: 'pois',
      feature: { properties: { kind: 'station', name: '静安寺', 'name:en': "Jing'an Temple" } },
    });
    // Not drawn: a bus stop, a building, an untagged line, a traffic signal.
    expect(classify(point, { highway: 'bus_stop' })).toBeNull();
    expect(classify(ring, { building: 'yes' })).toBeNull();
    expect(classify(road, {})).toBeNull();
    expect(classify(point, { highway: 'traffic_signals' })).toBeNull();
  });

  it('merges the stop positions of one station into one label, but keeps same-named stations far apart', () => {
    const p = (lon: number, lat: number, name: string, en?: string) => ({
      type: 'Feature' as const,
      properties: { kind: 'station', name, ...(en ? { 'name:en': en } : {}) },
      geometry: { type: 'Point' as const, coordinates: [lon, lat] },
    });
    const merged = mergeStations([
      p(121.445, 31.223, '静安寺'),
      p(121.4453, 31.2232, '静安寺', "Jing'an Temple"),
      p(121.4456, 31.2228, '静安寺'),
      p(121.48, 31.23, '人民广场'),
      p(121.6, 31.1, '人民广场'), // another place, 17 km away
    ]);
    expect(merged).toHaveLength(3);
    const jingan = merged.find((m) => m.properties.name === '静安寺');
    expect(jingan?.properties['name:en']).toBe("Jing'an Temple");
    expect(jingan?.geometry.coordinates[0]).toBeCloseTo(121.4453, 4);
  });
});

describe('parseOsmXml', () => {
  it('reads nodes, ways with their tags and XML entities, and drops ways with missing nodes', () => {
    const xml = `<?xml version="1.0"?><osm version="0.6">
      <node id="1" lat="31.23" lon="121.47"/>
      <node lon="121.48" id="2" lat="31.23"><tag k="highway" v="crossing"/></node>
      <node id="3" lat="31.24" lon="121.48"><tag k="railway" v="station"/><tag k="station" v="subway"/><tag k="name" v="南京西路 &amp; 茂名"/></node>
      <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/><tag k="name" v="南京西路"/></way>
      <way id="11"><nd ref="1"/><nd ref="99"/><tag k="highway" v="primary"/></way>
      <relation id="5"><member type="way" ref="10" role="outer"/></relation>
    </osm>`;
    const r = parseOsmXml(xml);
    expect(r.ways).toHaveLength(1);
    expect(r.ways[0].properties).toMatchObject({ highway: 'primary', name: '南京西路' });
    expect(r.ways[0].geometry.coordinates).toEqual([
      [121.47, 31.23],
      [121.48, 31.23],
    ]);
    expect(r.points.map((p) => p.properties.name ?? p.properties.highway)).toEqual([
      'crossing',
      '南京西路 & 茂名',
    ]);
    expect(r.waysMissingNodes).toBe(1);
    expect(r.relationsSkipped).toBe(1);
  });

  it('refuses a file that is not OSM XML', () => {
    expect(() => parseOsmXml('<html><body>hello</body></html>')).toThrow(OsmXmlError);
  });
});

describe('readSource', () => {
  it('names the file when it is neither OSM XML nor GeoJSON', () => {
    expect(() => readSource({ name: 'roads.json', text: '{"type": "Feature"' })).toThrow(
      /roads\.json: neither OSM XML nor valid JSON/,
    );
    expect(() => readSource({ name: 'roads.json', text: '{"type": "Feature"}' })).toThrow(
      /roads\.json: JSON but not a GeoJSON FeatureCollection/,
    );
  });

  it('skips features whose coordinates are not degrees, and says so', () => {
    const text = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { highway: 'primary', name: '甲路' },
          geometry: line([
            [121.47, 31.23],
            [121.48, 31.23],
          ]),
        },
        {
          type: 'Feature',
          properties: { highway: 'primary', name: '乙路' },
          geometry: line([
            [13_520_000, 3_660_000],
            [13_521_000, 3_660_000],
          ]),
        },
        { type: 'Feature', properties: { highway: 'primary' }, geometry: null },
      ],
    });
    const r = readSource({ name: 'mixed.geojson', text });
    expect(r.counts.kept.roads).toBe(1);
    expect(r.counts.skipped).toEqual(['feature 2: coordinates are not longitude/latitude degrees']);
  });
});

describe('buildBasemap and openBasemap', () => {
  it('cuts roads, water, parks and stations into a PMTiles archive the server reads back tile by tile', async () => {
    const text = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { highway: 'primary', name: '南京西路', 'name:en': 'West Nanjing Road' },
          geometry: line([
            [121.44, 31.225],
            [121.47, 31.232],
          ]),
        },
        {
          type: 'Feature',
          properties: { highway: 'residential', name: '茂名北路' },
          geometry: line([
            [121.451, 31.22],
            [121.451, 31.235],
          ]),
        },
        {
          type: 'Feature',
          properties: { natural: 'water', name: '湖' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [121.45, 31.226],
                [121.452, 31.226],
                [121.452, 31.228],
                [121.45, 31.226],
              ],
            ],
          },
        },
        {
          type: 'Feature',
          properties: { leisure: 'park', name: '静安公园' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [121.446, 31.222],
                [121.449, 31.222],
                [121.449, 31.224],
                [121.446, 31.222],
              ],
            ],
          },
        },
        {
          type: 'Feature',
          properties: { railway: 'station', station: 'subway', name: '静安寺' },
          geometry: { type: 'Point', coordinates: [121.4453, 31.2232] },
        },
      ],
    });
    const built = buildBasemap([{ name: 'sample.geojson', text }]);
    const file = path.join(dir, 'sample.pmtiles');
    writeFileSync(file, built.archive);
    const basemap = await openBasemap(file);
    try {
      expect(basemap.info).toMatchObject({
        minZoom: 10,
        maxZoom: 16,
        attribution: '© OpenStreetMap contributors',
      });
      expect(basemap.info.layers.sort()).toEqual(['landuse', 'pois', 'roads', 'water']);
      const [x15, y15] = tileOf(121.452, 31.227, 15);
      const detail = decode((await basemap.tile(15, x15, y15))!);
      expect(namesIn(detail, 'roads').sort()).toEqual(['南京西路', '茂名北路']);
      expect(
        detail.layers.roads.feature(namesIn(detail, 'roads').indexOf('南京西路')).properties['name:en'],
      ).toBe('West Nanjing Road');
      expect(namesIn(detail, 'water')).toEqual(['湖']);
      // At city zoom only the major road is in the tile; minor roads come at street zoom.
      const [x11, y11] = tileOf(121.452, 31.227, 11);
      expect(namesIn(decode((await basemap.tile(11, x11, y11))!), 'roads')).toEqual(['南京西路']);
      // Nothing there, or outside the zoom range: no tile.
      expect(await basemap.tile(15, 0, 0)).toBeNull();
      expect(await basemap.tile(18, x15 * 8, y15 * 8)).toBeNull();
    } finally {
      await basemap.close();
    }
  });

  it('refuses an import with nothing drawable', () => {
    const text = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { building: 'yes' },
          geometry: { type: 'Point', coordinates: [121.4, 31.2] },
        },
      ],
    });
    expect(() => buildBasemap([{ name: 'buildings.geojson', text }])).toThrow(BasemapInputError);
  });

  it('reads archives whose directory needs leaf directories', { timeout: 60_000 }, async () => {
    // 12,000 tiles scattered over zoom 16 with random sizes: a directory far beyond the first 16 KiB.
    let seed = 7;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const seen = new Set<string>();
    const tiles: { z: number; x: number; y: number; data: Uint8Array }[] = [];
    while (tiles.length < 12_000) {
      const x = 50_000 + Math.floor(rand() * 4096);
      const y = 24_000 + Math.floor(rand() * 4096);
      if (seen.has(`${x}/${y}`)) continue;
      seen.add(`${x}/${y}`);
      const length = 1 + Math.floor(rand() * 300);
      tiles.push({ z: 16, x, y, data: Uint8Array.from({ length }, () => Math.floor(rand() * 256)) });
    }
    const file = path.join(dir, 'leaves.pmtiles');
    const archive = writePmtiles(tiles, {
      minZoom: 16,
      maxZoom: 16,
      bounds: [121, 31, 122, 32],
      center: [121.5, 31.5, 16],
      metadata: {},
    });
    expect(archive.readUInt32LE(48)).toBeGreaterThan(16_384); // leaf directories' length in the header
    writeFileSync(file, archive);
    const basemap = await openBasemap(file);
    try {
      for (const i of [0, 1, 4095, 4096, 8191, 8192, 11_999]) {
        const t = await basemap.tile(tiles[i].z, tiles[i].x, tiles[i].y);
        expect(Buffer.compare(gunzipSync(t!), Buffer.from(tiles[i].data))).toBe(0);
      }
    } finally {
      await basemap.close();
    }
  });

  it('names the problem with BASEMAP_PMTILES: missing file, a directory, not an archive, raster tiles', async () => {
    await expect(openBasemap(path.join(dir, 'nope.pmtiles'))).rejects.toThrow(
      /BASEMAP_PMTILES=.*nope\.pmtiles: cannot read .*ENOENT/,
    );
    await expect(openBasemap(dir)).rejects.toThrow(/not a file/);
    const junk = path.join(dir, 'junk.pmtiles');
    writeFileSync(junk, Buffer.alloc(20_000, 7));
    await expect(openBasemap(junk)).rejects.toThrow(BasemapError);
    await expect(openBasemap(junk)).rejects.toThrow(/not a PMTiles v3 archive/);
    const raster = Buffer.from(
      writePmtiles([{ z: 10, x: 1, y: 1, data: Uint8Array.of(1) }], {
        minZoom: 10,
        maxZoom: 10,
        bounds: [0, 0, 1, 1],
        center: [0, 0, 10],
        metadata: {},
      }),
    );
    raster.writeUInt8(2, 99); // tile type PNG
    const png = path.join(dir, 'raster.pmtiles');
    writeFileSync(png, raster);
    await expect(openBasemap(png)).rejects.toThrow(
      /holds Png tiles; CityNerve draws vector \(MVT\) basemaps/,
    );
  });
});

describe('parseTileAddress', () => {
  it('accepts z/x/y inside the grid and names what is wrong otherwise', () => {
    expect(parseTileAddress('14', '13720', '6693')).toEqual({ z: 14, x: 13720, y: 6693 });
    expect(parseTileAddress('14', '13720', '6693.pbf')).toEqual({ z: 14, x: 13720, y: 6693 });
    expect(parseTileAddress('a', '1', '1')).toEqual({ error: 'tile z must be a whole number, got "a"' });
    expect(parseTileAddress('1', '-1', '1')).toEqual({ error: 'tile x must be a whole number, got "-1"' });
    expect(parseTileAddress('23', '1', '1')).toEqual({ error: 'tile zoom must be 0–22, got 23' });
    expect(parseTileAddress('2', '4', '0')).toEqual({
      error: 'tile x and y must be below 4 at zoom 2, got 4/0',
    });
  });
});

// The real OpenStreetMap samples beside the project (skipped where they are absent).
const SAMPLES = path.resolve(process.cwd(), '../shared/data/basemap');
describe.skipIf(!existsSync(path.join(SAMPLES, 'jingan-east-roads.osm')))('the OpenStreetMap samples', () => {
  it('reads the same roads from the .osm XML as from its GeoJSON export, with their Chinese names', () => {
    const osm = readSource({
      name: 'osm',
      text: readFileSync(path.join(SAMPLES, 'jingan-east-roads.osm'), 'utf8'),
    });
    const geo = readSource({
      name: 'geojson',
      text: readFileSync(path.join(SAMPLES, 'jingan-east-roads.geojson'), 'utf8'),
    });
    expect(osm.counts.kept.roads).toBe(geo.counts.kept.roads);
    expect(osm.counts.kept.roads).toBeGreaterThan(700);
    const names = (r: typeof osm) =>
      new Set(r.features.map((f) => f.feature.properties.name).filter(Boolean));
    expect([...names(osm)].sort()).toEqual([...names(geo)].sort());
    expect(names(osm)).toContain('南京西路');
  });

  it('turns 1,440 metro stop positions into one station per name and place', () => {
    const text = readFileSync(path.join(SAMPLES, 'shanghai-metro-stations.geojson'), 'utf8');
    const built = buildBasemap([{ name: 'metro', text }]);
    expect(built.counts[0].kept.pois).toBe(1440);
    expect(built.tiles).toBeGreaterThan(100);
  });
});
