// Basemap import: OpenStreetMap-derived files (.osm XML or GeoJSON with OSM tags) → basemap features →
// vector tiles cut with geojson-vt → one PMTiles archive, which the server then serves like any other.
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature, FeatureCollection, Geometry, Point } from 'geojson';
import {
  BASEMAP_LAYERS,
  classify,
  mergeStations,
  type BasemapFeature,
  type BasemapLayer,
  type BasemapProperties,
} from './layers';
import { parseOsmXml, type OsmTags } from './osm-xml';
import { writePmtiles, type ArchiveTile } from './pmtiles-writer';

export const OSM_ATTRIBUTION = '© OpenStreetMap contributors';
export const BASEMAP_MIN_ZOOM = 10;
export const BASEMAP_MAX_ZOOM = 16;
/** Below this zoom only major roads, water, parks and stations are in the tiles. */
const DETAIL_ZOOM = 13;

export interface SourceFile {
  name: string;
  text: string;
}

export interface ImportCounts {
  file: string;
  read: number;
  kept: Record<BasemapLayer, number>;
  /** Named roads kept (the labels the map can show). */
  namedRoads: number;
  skipped: string[];
}

export class BasemapInputError extends Error {}

function isFeatureCollection(value: unknown): value is FeatureCollection {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'FeatureCollection' &&
    Array.isArray((value as { features?: unknown }).features)
  );
}

function tagsOf(properties: unknown): OsmTags {
  const tags: OsmTags = {};
  if (typeof properties !== 'object' || properties === null) return tags;
  for (const [k, v] of Object.entries(properties)) {
    if (typeof v === 'string') tags[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') tags[k] = String(v);
  }
  return tags;
}

function validLonLat(c: unknown): boolean {
  return (
    Array.isArray(c) &&
    typeof c[0] === 'number' &&
    typeof c[1] === 'number' &&
    Math.abs(c[0]) <= 180 &&
    Math.abs(c[1]) <= 85.06
  );
}

function firstCoordinate(g: Geometry): unknown {
  let c: unknown = 'coordinates' in g ? g.coordinates : undefined;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return c;
}

/** Reads one file: OSM XML by its <osm> root, otherwise GeoJSON. Throws naming the file and the problem. */
export function readSource(file: SourceFile): { features: BasemapFeature[]; counts: ImportCounts } {
  const kept: Record<BasemapLayer, number> = { water: 0, landuse: 0, roads: 0, pois: 0 };
  const features: BasemapFeature[] = [];
  const skipped: string[] = [];
  let read = 0;
  const take = (geometry: Geometry | null, tags: OsmTags) => {
    read++;
    if (!geometry) return;
    const first = firstCoordinate(geometry);
    if (!validLonLat(first)) {
      if (skipped.length < 5) skipped.push(`feature ${read}: coordinates are not longitude/latitude degrees`);
      return;
    }
    const f = classify(geometry, tags);
    if (f) {
      features.push(f);
      kept[f.layer]++;
    }
  };
  const head = file.text.slice(0, 4096).trimStart();
  if (head.startsWith('<')) {
    const osm = parseOsmXml(file.text);
    for (const p of osm.points) take(p.geometry, p.properties);
    for (const w of osm.ways) take(w.geometry, w.properties);
    if (osm.waysMissingNodes > 0)
      skipped.push(`${osm.waysMissingNodes} ways name nodes the file does not contain`);
    if (osm.relationsSkipped > 0)
      skipped.push(`${osm.relationsSkipped} relations (not resolved; give them as GeoJSON)`);
  } else {
    let json: unknown;
    try {
      json = JSON.parse(file.text);
    } catch (err) {
      throw new BasemapInputError(`${file.name}: neither OSM XML nor valid JSON (${(err as Error).message})`);
    }
    if (!isFeatureCollection(json))
      throw new BasemapInputError(`${file.name}: JSON but not a GeoJSON FeatureCollection`);
    for (const f of json.features as Feature[]) take(f?.geometry ?? null, tagsOf(f?.properties));
  }
  const namedRoads = features.filter((f) => f.layer === 'roads' && f.feature.properties.name).length;
  return { features, counts: { file: file.name, read, kept, namedRoads, skipped } };
}

function bbox(features: BasemapFeature[]): [number, number, number, number] {
  let [w, s, e, n] = [180, 90, -180, -90];
  const visit = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]);
      e = Math.max(e, c[0]);
      s = Math.min(s, c[1] as number);
      n = Math.max(n, c[1] as number);
    } else c.forEach(visit);
  };
  for (const f of features) visit((f.feature.geometry as { coordinates?: unknown }).coordinates);
  return [w, s, e, n];
}

/** The x/y of the tile holding [lon, lat] at zoom z (Web Mercator, clamped to the grid). */
export function tileOf(lon: number, lat: number, z: number): [number, number] {
  const size = 2 ** z;
  const r = (lat * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * size);
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * size);
  const clamp = (v: number) => Math.min(size - 1, Math.max(0, v));
  return [clamp(x), clamp(y)];
}

function tileRange(z: number, [w, s, e, n]: [number, number, number, number]) {
  const [x0, y0] = tileOf(w, n, z);
  const [x1, y1] = tileOf(e, s, z);
  return { x0, x1, y0, y1 };
}

function detailOnly(f: BasemapFeature): boolean {
  const kind = f.feature.properties.kind;
  return f.layer === 'roads' && (kind === 'minor_road' || kind === 'path');
}

export interface BuiltBasemap {
  archive: Buffer;
  tiles: number;
  bounds: [number, number, number, number];
  counts: ImportCounts[];
}

/** Cuts every file's features into tiles from zoom 10 to 16 and writes one PMTiles archive. */
export function buildBasemap(files: SourceFile[]): BuiltBasemap {
  const counts: ImportCounts[] = [];
  const all: BasemapFeature[] = [];
  for (const file of files) {
    const r = readSource(file);
    counts.push(r.counts);
    all.push(...r.features);
  }
  // Stations: one label per name nearby.
  const stations = mergeStations(
    all.filter((f) => f.layer === 'pois').map((f) => f.feature as Feature<Point, BasemapProperties>),
  ).map((feature): BasemapFeature => ({ layer: 'pois', feature }));
  const features = [...all.filter((f) => f.layer !== 'pois'), ...stations];
  if (features.length === 0)
    throw new BasemapInputError(
      'nothing to draw: no roads, water, parks or metro stations found in ' +
        files.map((f) => f.name).join(', '),
    );
  const bounds = bbox(features);
  const options = { maxZoom: BASEMAP_MAX_ZOOM, indexMaxZoom: 5, tolerance: 3, extent: 4096, buffer: 64 };
  const index = (subset: BasemapFeature[]) =>
    subset.length === 0
      ? null
      : new GeoJSONVT({ type: 'FeatureCollection', features: subset.map((f) => f.feature) }, options);
  const layers = BASEMAP_LAYERS.map((layer) => {
    const own = features.filter((f) => f.layer === layer);
    return { layer, full: index(own), coarse: index(own.filter((f) => !detailOnly(f))) };
  });
  const tiles: ArchiveTile[] = [];
  for (let z = BASEMAP_MIN_ZOOM; z <= BASEMAP_MAX_ZOOM; z++) {
    const { x0, x1, y0, y1 } = tileRange(z, bounds);
    for (let x = x0; x <= x1; x++)
      for (let y = y0; y <= y1; y++) {
        const tile: Record<string, NonNullable<ReturnType<GeoJSONVT['getTile']>>> = {};
        for (const l of layers) {
          const idx = z < DETAIL_ZOOM ? l.coarse : l.full;
          const t = idx?.getTile(z, x, y);
          if (t && t.features.length > 0) tile[l.layer] = t;
        }
        if (Object.keys(tile).length > 0)
          tiles.push({ z, x, y, data: fromGeojsonVt(tile, { version: 2, extent: 4096 }) });
      }
  }
  const [w, s, e, n] = bounds;
  const archive = writePmtiles(tiles, {
    minZoom: BASEMAP_MIN_ZOOM,
    maxZoom: BASEMAP_MAX_ZOOM,
    bounds,
    center: [(w + e) / 2, (s + n) / 2, 13],
    metadata: {
      name: 'CityNerve basemap',
      description: 'Imported from ' + files.map((f) => f.name).join(', '),
      attribution: OSM_ATTRIBUTION,
      schema: 'protomaps',
      vector_layers: BASEMAP_LAYERS.map((id) => ({
        id,
        fields: {
          kind: 'String',
          kind_detail: 'String',
          name: 'String',
          'name:en': 'String',
          sort_rank: 'Number',
        },
      })),
    },
  });
  return { archive, tiles: tiles.length, bounds, counts };
}
