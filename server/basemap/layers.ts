// The basemap's vector layers, in the Protomaps basemap schema's names and kinds (roads, water, landuse,
// pois), so one map style draws both a Protomaps PMTiles extract and what CityNerve imports from
// OpenStreetMap. This module decides, from OSM tags, which layer and kind a feature belongs to.
import type { Feature, Geometry, LineString, Point, Polygon } from 'geojson';
import type { OsmTags } from './osm-xml';

export const BASEMAP_LAYERS = ['water', 'landuse', 'roads', 'pois'] as const;
export type BasemapLayer = (typeof BASEMAP_LAYERS)[number];

export type RoadKind = 'highway' | 'major_road' | 'minor_road' | 'path';

/** What every basemap feature carries (absent names are left out, not empty). */
export interface BasemapProperties {
  kind: string;
  kind_detail?: string;
  name?: string;
  'name:en'?: string;
  /** Drawing order inside a layer: larger on top (major roads over minor ones). */
  sort_rank?: number;
}

export interface BasemapFeature {
  layer: BasemapLayer;
  feature: Feature<Geometry, BasemapProperties>;
}

const ROAD_KIND: Record<string, RoadKind> = {
  motorway: 'highway',
  motorway_link: 'highway',
  trunk: 'highway',
  trunk_link: 'highway',
  primary: 'major_road',
  primary_link: 'major_road',
  secondary: 'major_road',
  secondary_link: 'major_road',
  tertiary: 'major_road',
  tertiary_link: 'major_road',
  residential: 'minor_road',
  unclassified: 'minor_road',
  living_street: 'minor_road',
  service: 'minor_road',
  road: 'minor_road',
  pedestrian: 'path',
  footway: 'path',
  path: 'path',
  cycleway: 'path',
  steps: 'path',
  track: 'path',
};

const ROAD_RANK: Record<RoadKind, number> = { path: 1, minor_road: 2, major_road: 3, highway: 4 };

const PARK = new Set(['park', 'garden', 'playground', 'nature_reserve', 'recreation_ground', 'pitch']);
const GREEN_LANDUSE = new Set([
  'grass',
  'forest',
  'meadow',
  'recreation_ground',
  'village_green',
  'cemetery',
]);
const WATER_LANDUSE = new Set(['reservoir', 'basin']);
const WATERWAY_LINE = new Set(['river', 'canal', 'stream', 'drain', 'ditch']);

function names(tags: OsmTags): Pick<BasemapProperties, 'name' | 'name:en'> {
  const out: Pick<BasemapProperties, 'name' | 'name:en'> = {};
  const name = tags['name:zh'] || tags['name:zh-Hans'] || tags.name;
  if (name) out.name = name;
  if (tags['name:en']) out['name:en'] = tags['name:en'];
  return out;
}

function isClosed(line: LineString): boolean {
  const c = line.coordinates;
  if (c.length < 4) return false;
  const [a, b] = [c[0], c[c.length - 1]];
  return a[0] === b[0] && a[1] === b[1];
}

function asPolygon(line: LineString): Polygon {
  return { type: 'Polygon', coordinates: [line.coordinates] };
}

/** A metro (or light-rail) station or one of its stop positions. */
export function isMetroStation(tags: OsmTags): boolean {
  if (tags.station === 'subway' || tags.station === 'light_rail') return true;
  const rail = tags.railway === 'station' || tags.railway === 'stop' || tags.railway === 'halt';
  const transport = tags.public_transport === 'station' || tags.public_transport === 'stop_position';
  return (rail || transport) && (tags.subway === 'yes' || tags.light_rail === 'yes');
}

/**
 * The basemap feature for one OSM-tagged geometry, or null when the basemap does not draw it.
 * Lines and closed ways come from .osm ways and GeoJSON alike; polygons only from GeoJSON.
 */
export function classify(geometry: Geometry, tags: OsmTags): BasemapFeature | null {
  const type = geometry.type;
  const line = type === 'LineString' || type === 'MultiLineString';
  const area = type === 'Polygon' || type === 'MultiPolygon';
  const closedWay = type === 'LineString' && isClosed(geometry);
  const f = (layer: BasemapLayer, g: Geometry, properties: BasemapProperties): BasemapFeature => ({
    layer,
    feature: { type: 'Feature', properties, geometry: g },
  });

  if (type === 'Point') {
    if (isMetroStation(tags)) return f('pois', geometry, { kind: 'station', ...names(tags) });
    return null;
  }
  if (tags.highway && ROAD_KIND[tags.highway] && (line || (closedWay && tags.area !== 'yes'))) {
    const kind = ROAD_KIND[tags.highway];
    return f('roads', geometry, {
      kind,
      kind_detail: tags.highway,
      sort_rank: ROAD_RANK[kind],
      ...names(tags),
    });
  }
  const water =
    tags.natural === 'water' || tags.waterway === 'riverbank' || WATER_LANDUSE.has(tags.landuse ?? '');
  if (water && (area || closedWay))
    return f('water', closedWay ? asPolygon(geometry as LineString) : geometry, {
      kind: 'water',
      ...names(tags),
    });
  if (tags.waterway && WATERWAY_LINE.has(tags.waterway) && line)
    return f('water', geometry, { kind: 'river', kind_detail: tags.waterway, ...names(tags) });
  const park = PARK.has(tags.leisure ?? '') || GREEN_LANDUSE.has(tags.landuse ?? '');
  if (park && (area || closedWay))
    return f('landuse', closedWay ? asPolygon(geometry as LineString) : geometry, {
      kind: 'park',
      ...names(tags),
    });
  return null;
}

/**
 * One label per station name: OSM maps a station once per line and direction (stop positions) as well
 * as the station itself. Points of the same name within `radiusM` merge into their mean position.
 */
export function mergeStations(
  points: Feature<Point, BasemapProperties>[],
  radiusM = 400,
): Feature<Point, BasemapProperties>[] {
  type Group = { props: BasemapProperties; lon: number; lat: number; n: number };
  const groups: Group[] = [];
  const byName = new Map<string, Group[]>();
  const mPerDegLat = 111_320;
  for (const p of points) {
    const [lon, lat] = p.geometry.coordinates;
    const mPerDegLon = mPerDegLat * Math.cos((lat * Math.PI) / 180);
    const key = p.properties.name ?? '';
    const sameName = byName.get(key) ?? [];
    const g = sameName.find(
      (g) => Math.hypot((g.lon / g.n - lon) * mPerDegLon, (g.lat / g.n - lat) * mPerDegLat) <= radiusM,
    );
    if (g) {
      g.lon += lon;
      g.lat += lat;
      g.n++;
      if (!g.props['name:en'] && p.properties['name:en']) g.props['name:en'] = p.properties['name:en'];
      continue;
    }
    const created: Group = { props: { ...p.properties }, lon, lat, n: 1 };
    groups.push(created);
    sameName.push(created);
    byName.set(key, sameName);
  }
  return groups.map((g) => ({
    type: 'Feature',
    properties: g.props,
    geometry: { type: 'Point', coordinates: [g.lon / g.n, g.lat / g.n] },
  }));
}
