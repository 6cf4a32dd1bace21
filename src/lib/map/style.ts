// The offline basemap: a background plus our own district and street boundaries, with no glyphs,
// sprites or remote URLs, so no request leaves the deployment; with BASEMAP_PMTILES, the deployment's
// vector basemap (./basemap.ts) from CityNerve's own tile route in between. With a deployment's own
// basemap style (BASEMAP_STYLE_URL), the same boundary layers are added on top of it.
import type { FeatureCollection } from 'geojson';
import type { GeoJSONSource, Map as MaplibreMap, MapOptions } from 'maplibre-gl';
import type { Lang } from '$lib/i18n';
import {
  BASEMAP_SOURCE,
  basemapLabelLayers,
  basemapSource,
  basemapUnderLayers,
  type BasemapInfo,
} from './basemap';
import { BASEMAP } from './colors';
import type { StreetsCollection } from './labels';

export type StyleSpecification = Exclude<MapOptions['style'], string | undefined>;
export type LayerSpecification = StyleSpecification['layers'][number];
export type SourceSpecification = StyleSpecification['sources'][string];

/** Source ids our boundary layers read; their data is set once fetched. */
export const STREETS_SOURCE = 'citynerve-streets';
export const DISTRICTS_SOURCE = 'citynerve-districts';

/** Where the boundaries come from: streets and districts in one cached, compressed response. */
export const BOUNDARIES_URL = '/api/map/boundaries';

/** The body of GET /api/map/boundaries. */
export interface Boundaries {
  /** Street polygons with names and label points. */
  streets: StreetsCollection;
  /** District polygons. */
  districts: FeatureCollection;
}

/** Fetches both boundary collections in one request; throws with the status when it fails. */
export async function fetchBoundaries(signal?: AbortSignal): Promise<Boundaries> {
  // A plain GET, so that the map page's <link rel="preload"> of the same URL serves it.
  const res = await fetch(BOUNDARIES_URL, { signal });
  if (!res.ok) throw new Error(`${BOUNDARIES_URL}: HTTP ${res.status}`);
  return (await res.json()) as Boundaries;
}

/** Puts the boundaries into a map's boundary sources (those of boundarySources), where it has them. */
export function setBoundaries(map: MaplibreMap, { streets, districts }: Boundaries): void {
  void map.getSource<GeoJSONSource>(STREETS_SOURCE)?.setData(streets);
  void map.getSource<GeoJSONSource>(DISTRICTS_SOURCE)?.setData(districts);
}

/** Both districts: lon 121.387–121.479, lat 31.103–31.323 ([[west, south], [east, north]]). */
export const INITIAL_BOUNDS: [[number, number], [number, number]] = [
  [121.387, 31.103],
  [121.479, 31.323],
];

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

export function boundarySources(): Record<string, SourceSpecification> {
  return {
    [DISTRICTS_SOURCE]: { type: 'geojson', data: EMPTY },
    [STREETS_SOURCE]: { type: 'geojson', data: EMPTY },
  };
}

/** District fills (subtly different per district) and street / district outlines. */
export function boundaryLayers(options: { overBasemap: boolean }): LayerSpecification[] {
  const { districtFill } = BASEMAP;
  return [
    {
      id: 'citynerve-district-fill',
      type: 'fill',
      source: DISTRICTS_SOURCE,
      paint: {
        'fill-color': [
          'match',
          ['get', 'code'],
          'xuhui',
          districtFill.xuhui,
          'jingan',
          districtFill.jingan,
          districtFill.other,
        ],
        'fill-opacity': options.overBasemap ? 0.25 : 0.85,
      },
    },
    {
      id: 'citynerve-street-line',
      type: 'line',
      source: STREETS_SOURCE,
      paint: { 'line-color': BASEMAP.streetLine, 'line-width': 0.8, 'line-opacity': 0.9 },
    },
    {
      id: 'citynerve-district-line',
      type: 'line',
      source: DISTRICTS_SOURCE,
      paint: { 'line-color': BASEMAP.districtLine, 'line-width': 1.6, 'line-opacity': 0.9 },
    },
  ];
}

/** The basemap tiles to draw under the boundaries (BASEMAP_PMTILES), the labels' language, the page's origin. */
export interface OfflineBasemap {
  info: BasemapInfo;
  lang: Lang;
  origin: string;
}

/**
 * The built-in style: a background, our district and street boundaries and, when the deployment serves a
 * vector basemap, its water, parks, roads and names between the district fill and the outlines.
 */
export function offlineStyle(basemap: OfflineBasemap | null = null): StyleSpecification {
  const [fill, ...outlines] = boundaryLayers({ overBasemap: false });
  return {
    version: 8,
    name: 'citynerve-offline',
    sources: basemap
      ? { ...boundarySources(), [BASEMAP_SOURCE]: basemapSource(basemap.info, basemap.origin) }
      : boundarySources(),
    layers: [
      { id: 'citynerve-background', type: 'background', paint: { 'background-color': BASEMAP.background } },
      fill,
      ...(basemap ? basemapUnderLayers() : []),
      ...outlines,
      ...(basemap ? basemapLabelLayers(basemap.lang) : []),
    ],
  };
}
