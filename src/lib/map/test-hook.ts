// A read-only window hook for the browser tests: sequence, sensor states and positions, and map
// projection. Harmless in production: it exposes nothing the page does not already show.
import { positionOf, stateOf, type LiveSensorTable } from '$lib/streams/sensor-table';
import type { BasemapRendering, MapController } from './map-controller';

/** What `window.__citynerve` offers on the map page. */
export interface CityNerveTestHook {
  /** Sequence number of the applied sensor table; null before the first snapshot. */
  seq(): number | null;
  /** State code (0 normal, 1 warning, 2 alarm, 3 offline) of a sensor; null when unknown. */
  stateOf(sensorId: number): number | null;
  /** [lon, lat] of a sensor; null when unknown. */
  positionOf(sensorId: number): [number, number] | null;
  /** Pixels relative to the map container (maplibre's map.project); [NaN, NaN] before the map exists. */
  project(lon: number, lat: number): [number, number];
  /** True once the map is loaded and the snapshot is drawn. */
  ready(): boolean;
  /** The map's zoom; NaN before the map exists. */
  zoom(): number;
  /** True while the camera moves (an animated zoom or pan has not ended). */
  moving(): boolean;
  /** 'cells' when normal sensors are aggregated (below zoom 14), 'points' when drawn one by one. */
  sensorMode(): 'cells' | 'points' | null;
  /** True once the server confirmed the deltas are scoped to the current viewport (zoomed in far enough). */
  viewportScoped(): boolean;
  /** The deployment basemap as drawn now; null before the map exists. */
  basemap(): BasemapRendering | null;
  /**
   * For the benchmark: the last delta's decode-and-apply time, the layer worker's time for its last
   * answer and the main thread's time handing it to deck.gl (ms; NaN before the map exists).
   */
  timings?(): { deltaMs: number; workerMs: number; handOverMs: number };
}

declare global {
  interface Window {
    /** Test hook of the map page (see src/lib/map/test-hook.ts). */
    __citynerve?: CityNerveTestHook;
  }
}

/** Installs the hook; returns the function that removes it again. */
export function installTestHook(hook: CityNerveTestHook): () => void {
  window.__citynerve = hook;
  return () => {
    if (window.__citynerve === hook) delete window.__citynerve;
  };
}

/**
 * The hook of a page that draws a live sensor stream on a map (the console, the wall): `map` returns the
 * controller once it exists.
 */
export function installMapTestHook(
  stream: {
    readonly seq: number | null;
    readonly table: LiveSensorTable | null;
    readonly viewportScoped: boolean;
    readonly lastDeltaMs: number;
  },
  map: () => MapController | null,
): () => void {
  return installTestHook({
    seq: () => stream.seq,
    stateOf: (id) => (stream.table ? stateOf(stream.table, id) : null),
    positionOf: (id) => (stream.table ? positionOf(stream.table, id) : null),
    project: (lon, lat) => map()?.project(lon, lat) ?? [Number.NaN, Number.NaN],
    ready: () => map()?.isReady() ?? false,
    zoom: () => map()?.zoom() ?? Number.NaN,
    moving: () => map()?.isMoving() ?? false,
    sensorMode: () => map()?.sensorMode() ?? null,
    viewportScoped: () => stream.viewportScoped,
    basemap: () => map()?.renderedBasemap() ?? null,
    timings: () => ({
      deltaMs: stream.lastDeltaMs,
      ...(map()?.layerTimings() ?? { workerMs: Number.NaN, handOverMs: Number.NaN }),
    }),
  });
}
