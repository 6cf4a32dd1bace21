// The deployment's vector basemap (BASEMAP_PMTILES), drawn under our boundaries and sensors: water, parks,
// roads by class, road names and metro stations, in the Protomaps basemap schema (layers roads, water,
// landuse, pois with a `kind`), which is also what `npm run import:basemap` writes. Text is rendered from
// the browser's own fonts (the style has no `glyphs` URL), so nothing is fetched from elsewhere.
import type { ExpressionSpecification } from 'maplibre-gl';
import type { Lang } from '$lib/i18n';
import type { LayerSpecification, OfflineBasemap, SourceSpecification } from './style';

import type { BasemapInfo } from './basemap-info';

export type { BasemapInfo };

export const BASEMAP_SOURCE = 'citynerve-basemap';
export const BASEMAP_INFO_URL = '/api/map/basemap';
/** The one label layer that changes with the language. */
export const ROAD_LABEL_LAYER = 'basemap-road-label';
export const STATION_LABEL_LAYER = 'basemap-station-label';

const FONT = ['Noto Sans CJK SC Regular', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', 'sans-serif'];

const COLORS = {
  water: '#12324a',
  park: '#13291f',
  minor: '#26384a',
  major: '#3a5470',
  highway: '#5c7894',
  path: '#1f2e3c',
  roadLabel: '#b9c9da',
  halo: '#0a1017',
  station: '#e0a42f',
  stationLabel: '#f0d9a8',
} as const;

export function basemapSource(info: BasemapInfo, origin: string): SourceSpecification {
  return {
    type: 'vector',
    tiles: [`${origin}/api/map/basemap/{z}/{x}/{y}`],
    minzoom: info.minZoom,
    maxzoom: info.maxZoom,
    bounds: info.bounds,
    attribution: info.attribution,
  };
}

/** The name in the page's language, falling back to the other one. */
export function nameField(lang: Lang): ExpressionSpecification {
  return lang === 'en'
    ? ['coalesce', ['get', 'name:en'], ['get', 'name']]
    : ['coalesce', ['get', 'name'], ['get', 'name:zh'], ['get', 'name:en']];
}

const kind = (...kinds: string[]): ExpressionSpecification => ['in', ['get', 'kind'], ['literal', kinds]];

function roadLine(
  id: string,
  kinds: string[],
  color: string,
  widths: [number, number, number],
): LayerSpecification {
  return {
    id,
    type: 'line',
    source: BASEMAP_SOURCE,
    'source-layer': 'roads',
    filter: kind(...kinds),
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: {
      'line-color': color,
      'line-width': [
        'interpolate',
        ['exponential', 1.6],
        ['zoom'],
        11,
        widths[0],
        14,
        widths[1],
        17,
        widths[2],
      ],
    },
  };
}

/** Fills and lines: drawn under the district fill's outlines. */
export function basemapUnderLayers(): LayerSpecification[] {
  return [
    {
      id: 'basemap-water',
      type: 'fill',
      source: BASEMAP_SOURCE,
      'source-layer': 'water',
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': COLORS.water },
    },
    {
      id: 'basemap-river',
      type: 'line',
      source: BASEMAP_SOURCE,
      'source-layer': 'water',
      filter: ['==', ['geometry-type'], 'LineString'],
      paint: {
        'line-color': COLORS.water,
        'line-width': ['interpolate', ['linear'], ['zoom'], 11, 1, 16, 6],
      },
    },
    {
      id: 'basemap-park',
      type: 'fill',
      source: BASEMAP_SOURCE,
      'source-layer': 'landuse',
      filter: kind('park', 'garden', 'forest', 'grass', 'wood', 'cemetery'),
      paint: { 'fill-color': COLORS.park },
    },
    roadLine('basemap-road-path', ['path'], COLORS.path, [0.3, 0.6, 1.5]),
    roadLine('basemap-road-minor', ['minor_road'], COLORS.minor, [0.4, 1.2, 5]),
    roadLine('basemap-road-major', ['major_road'], COLORS.major, [0.8, 2.4, 9]),
    roadLine('basemap-road-highway', ['highway'], COLORS.highway, [1.2, 3.2, 12]),
  ];
}

/** Names and stations: drawn over the boundaries. Symbol placement keeps labels from colliding. */
export function basemapLabelLayers(lang: Lang): LayerSpecification[] {
  return [
    {
      id: ROAD_LABEL_LAYER,
      type: 'symbol',
      source: BASEMAP_SOURCE,
      'source-layer': 'roads',
      minzoom: 13,
      filter: ['all', ['has', 'name'], kind('highway', 'major_road', 'minor_road')],
      layout: {
        'symbol-placement': 'line',
        'symbol-spacing': 280,
        'text-field': nameField(lang),
        'text-font': FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], 13, 10, 17, 14],
        'text-max-angle': 35,
        'text-padding': 4,
        // Major roads get their names placed first.
        'symbol-sort-key': ['-', 10, ['coalesce', ['get', 'sort_rank'], 0]],
      },
      paint: { 'text-color': COLORS.roadLabel, 'text-halo-color': COLORS.halo, 'text-halo-width': 1.4 },
    },
    {
      id: 'basemap-station',
      type: 'circle',
      source: BASEMAP_SOURCE,
      'source-layer': 'pois',
      // Stations orient at street zoom; at city zoom a whole city's stations would only be noise.
      minzoom: 13,
      filter: kind('station'),
      paint: {
        'circle-color': COLORS.station,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 2, 15, 5],
        'circle-stroke-color': COLORS.halo,
        'circle-stroke-width': 1,
      },
    },
    {
      id: STATION_LABEL_LAYER,
      type: 'symbol',
      source: BASEMAP_SOURCE,
      'source-layer': 'pois',
      minzoom: 13,
      filter: ['all', kind('station'), ['has', 'name']],
      layout: {
        'text-field': nameField(lang),
        'text-font': FONT,
        'text-size': 12,
        'text-offset': [0, 1.1],
        'text-anchor': 'top',
        'text-padding': 6,
      },
      paint: { 'text-color': COLORS.stationLabel, 'text-halo-color': COLORS.halo, 'text-halo-width': 1.4 },
    },
  ];
}

/**
 * The basemap options of a page's own small map (hot-spots, the public view) from the root layout's data,
 * and whether the map must credit it.
 */
export function pageBasemap(
  data: { basemapTiles?: BasemapInfo | null },
  lang: Lang,
): { style: OfflineBasemap | null; attributionControl: false | { compact: boolean } } {
  const info = data.basemapTiles ?? null;
  if (!info || typeof location === 'undefined') return { style: null, attributionControl: false };
  return { style: { info, lang, origin: location.origin }, attributionControl: { compact: true } };
}
