// The one map controller: a maplibre map (offline style or the deployment's basemap) with a deck.gl
// overlay for sensors and street labels. Browser only: import it dynamically from onMount.
import { maplibregl } from './maplibre';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import type { Layer } from '@deck.gl/core';
import type { Lang } from '$lib/i18n';
import type { LiveSensorTable } from '$lib/streams/sensor-table';
import { positionOf } from '$lib/streams/sensor-table';
import { LABEL_FONT_PX, sensorLayers, streetLabelLayer } from './layers';
import { placeLabels, streetLabels, type StreetLabel, type StreetsCollection } from './labels';
import { pickSensor, SHOW_ALL, type SensorFilter } from './sensor-data';
import type { MapView, SensorLayerData } from './sensor-view';
import { inlinePort, LayerHost, workerPort } from './layer-host';
import {
  boundaryLayers,
  boundarySources,
  fetchBoundaries,
  INITIAL_BOUNDS,
  offlineStyle,
  setBoundaries,
} from './style';
import { nameField, ROAD_LABEL_LAYER, STATION_LABEL_LAYER, type BasemapInfo } from './basemap';

export interface MapControllerOptions {
  /** Element the map fills. */
  container: HTMLElement;
  /** The deployment's basemap style; null for the offline style. */
  basemapStyleUrl: string | null;
  /** The deployment's vector basemap tiles drawn in the offline style (BASEMAP_PMTILES); null without. */
  basemapTiles?: BasemapInfo | null;
  /** Language of the street labels. */
  lang: Lang;
  /** Called with the sensor id when the user clicks a sensor. */
  onSensorClick?: (sensorId: number) => void;
  /** Called once the boundaries are drawn; `approximate` when any street boundary is generated. */
  onBoundaries?: (info: { approximate: boolean }) => void;
  /** Called when the boundaries fail to load. */
  onError?: (error: Error) => void;
  /** Called when normal sensors switch between aggregated cells and single points. */
  onModeChange?: (mode: 'cells' | 'points') => void;
  /** Called after the map moved, with the visible box [west, south, east, north] and the zoom. */
  onViewport?: (bbox: [number, number, number, number], zoom: number) => void;
}

/** What the basemap shows at the moment (for the browser tests). */
export interface BasemapRendering {
  roadLines: number;
  roadNames: string[];
  stationNames: string[];
  /** The station labels' text-field expression, as JSON (which name comes first). */
  labelField: string | null;
}

export class MapController {
  readonly map: maplibregl.Map;
  readonly #overlay: MapLibreOverlay;
  readonly #opts: MapControllerOptions;
  readonly #abort = new AbortController();
  #lang: Lang;
  #loaded = false;
  /** Works out what the sensor layers draw, in a worker. */
  readonly #layers: LayerHost;
  #table: LiveSensorTable | null = null;
  #version = -1;
  /** The filter and view last sent to the layer worker, as a key. */
  #viewKey = '';
  #filter: SensorFilter = SHOW_ALL;
  #sensors: SensorLayerData | null = null;
  #streets: StreetsCollection | null = null;
  #labels: StreetLabel[] = [];
  #labelKey = '';
  /** Sensor layer data handed to deck (a counter), and the one deck has drawn. */
  #pendingVersion = -1;
  #drawnVersion = -1;
  #hoverPoint: { x: number; y: number } | null = null;
  #layersMs = 0;
  #hoverFrame = 0;

  constructor(opts: MapControllerOptions) {
    this.#opts = opts;
    this.#lang = opts.lang;
    this.map = new maplibregl.Map({
      container: opts.container,
      style:
        opts.basemapStyleUrl ??
        offlineStyle(
          opts.basemapTiles ? { info: opts.basemapTiles, lang: opts.lang, origin: location.origin } : null,
        ),
      bounds: INITIAL_BOUNDS,
      fitBoundsOptions: { padding: 24 },
      // Attribution (e.g. "© OpenStreetMap contributors") whenever third-party map data is drawn.
      attributionControl: opts.basemapStyleUrl || opts.basemapTiles ? { compact: false } : false,
      maplibreLogo: false,
      dragRotate: false,
      pitchWithRotate: false,
      // Hands CJK glyphs to the browser instead of fetching glyph PBFs (there are none offline).
      localIdeographFontFamily: '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", sans-serif',
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
    this.#overlay = new MapLibreOverlay({
      interleaved: false,
      layers: [],
      onAfterRender: () => {
        if (this.#drawnVersion < 0 && this.#pendingVersion >= 0) performance.mark('citynerve:map-drawn');
        this.#drawnVersion = this.#pendingVersion;
      },
    });
    this.map.addControl(this.#overlay);
    this.#layers = new LayerHost(typeof Worker === 'function' ? workerPort() : inlinePort(), this.#onLayers);

    const ready = new Promise<void>((resolve) => this.map.once('load', () => resolve()));
    void ready.then(() => {
      if (opts.basemapStyleUrl) this.#addBoundaryLayers();
      this.#loaded = true;
    });
    void this.#loadBoundaries(ready);

    this.map.on('moveend', this.#refresh);
    this.map.on('zoomend', this.#relabel);
    this.map.on('resize', this.#relabel);
    this.map.on('resize', this.#refresh);
    this.map.on('click', this.#onClick);
    this.map.on('mousemove', this.#onMouseMove);
  }

  /** Shows the sensors of `table`; cheap when `version` did not change. */
  setSensors(table: LiveSensorTable | null, version: number): void {
    if (!table) return;
    if (table !== this.#table) this.#layers.setTable(table, version);
    else if (version !== this.#version) this.#layers.setStates(version);
    this.#table = table;
    this.#version = version;
    this.#refresh();
  }

  /** Shows only the families and states the filter lets through. */
  setFilter(filter: SensorFilter): void {
    this.#filter = filter;
    this.#refresh();
  }

  /** Flies to a sensor at street zoom; false when the table does not know it. */
  flyToSensor(sensorId: number): boolean {
    const position = this.#table ? positionOf(this.#table, sensorId) : null;
    if (!position) return false;
    this.map.flyTo({ center: position, zoom: Math.max(this.map.getZoom(), 16.5), speed: 1.6 });
    return true;
  }

  /** Current zoom, for the test hook and the page. */
  zoom(): number {
    return this.map.getZoom();
  }

  /** True while the camera moves (a zoom, pan or fly animation has not ended). */
  isMoving(): boolean {
    return this.map.isMoving();
  }

  /** How normal sensors are drawn right now; null before the first table. */
  sensorMode(): 'cells' | 'points' | null {
    return this.#sensors?.mode ?? null;
  }

  setLang(lang: Lang): void {
    if (lang === this.#lang) return;
    this.#lang = lang;
    this.#relabel();
    for (const id of [ROAD_LABEL_LAYER, STATION_LABEL_LAYER])
      if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'text-field', nameField(lang));
  }

  /** The basemap as drawn now: road lines, placed road and station names, the station label's field. */
  renderedBasemap(): BasemapRendering {
    const present = (ids: string[]) => ids.filter((id) => this.map.getLayer(id));
    const names = (ids: string[]) => [
      ...new Set(
        this.map
          .queryRenderedFeatures({ layers: present(ids) })
          .map((f) => String(f.properties?.name ?? ''))
          .filter(Boolean),
      ),
    ];
    const roads = present(['basemap-road-minor', 'basemap-road-major', 'basemap-road-highway']);
    return {
      roadLines: roads.length ? this.map.queryRenderedFeatures({ layers: roads }).length : 0,
      roadNames: names([ROAD_LABEL_LAYER]),
      stationNames: names([STATION_LABEL_LAYER]),
      labelField: this.map.getLayer(STATION_LABEL_LAYER)
        ? JSON.stringify(this.map.getLayoutProperty(STATION_LABEL_LAYER, 'text-field'))
        : null,
    };
  }

  /** Pixel position of [lon, lat] relative to the map container. */
  project(lon: number, lat: number): [number, number] {
    const p = this.map.project([lon, lat]);
    return [p.x, p.y];
  }

  /** True once the style is loaded and deck has drawn the current sensor table. */
  isReady(): boolean {
    return (
      this.#loaded &&
      this.#sensors !== null &&
      this.#layers.settled &&
      this.#drawnVersion === this.#pendingVersion
    );
  }

  /**
   * For the benchmark: milliseconds the layer worker spent on its last answer, and this thread spent
   * handing that answer to deck.gl (the redraw itself follows in the next animation frame).
   */
  layerTimings(): { workerMs: number; handOverMs: number } {
    return { workerMs: this.#layers.lastEngineMs, handOverMs: this.#layersMs };
  }

  destroy(): void {
    this.#abort.abort();
    cancelAnimationFrame(this.#hoverFrame);
    this.map.off('moveend', this.#refresh);
    this.map.off('zoomend', this.#relabel);
    this.map.off('resize', this.#relabel);
    this.map.off('resize', this.#refresh);
    this.map.off('click', this.#onClick);
    this.map.off('mousemove', this.#onMouseMove);
    this.#layers.destroy();
    this.#overlay.finalize();
    this.map.remove();
  }

  #render(): void {
    const layers: Layer[] = [];
    if (this.#sensors) layers.push(...sensorLayers(this.#sensors));
    layers.push(streetLabelLayer(this.#labels));
    this.#overlay.setProps({ layers });
  }

  async #loadBoundaries(ready: Promise<void>): Promise<void> {
    try {
      const { signal } = this.#abort;
      const [boundaries] = await Promise.all([fetchBoundaries(signal), ready]);
      if (signal.aborted) return;
      setBoundaries(this.map, boundaries);
      const { streets } = boundaries;
      this.#streets = streets;
      this.#relabel();
      this.#opts.onBoundaries?.({ approximate: streets.features.some((f) => f.properties?.approximate) });
    } catch (err) {
      if (this.#abort.signal.aborted) return;
      this.#opts.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Our boundaries on top of a deployment's basemap. */
  #addBoundaryLayers(): void {
    for (const [id, source] of Object.entries(boundarySources())) {
      if (!this.map.getSource(id)) this.map.addSource(id, source);
    }
    for (const layer of boundaryLayers({ overBasemap: true })) {
      if (!this.map.getLayer(layer.id)) this.map.addLayer(layer);
    }
  }

  /** Re-places labels for the current zoom; the label layer's data changes only if the set changed. */
  #relabel = (): void => {
    if (!this.#streets) return;
    const candidates = streetLabels(this.#streets, this.#lang);
    const placed = placeLabels(candidates, ([lon, lat]) => this.project(lon, lat), LABEL_FONT_PX);
    const key = `${this.#lang}|${placed.map((l) => l.id).join(',')}`;
    if (key === this.#labelKey) return;
    this.#labelKey = key;
    this.#labels = placed;
    this.#render();
  };

  #sensorAt(point: { x: number; y: number }): number | null {
    if (!this.#sensors) return null;
    const here = this.map.unproject([point.x, point.y]);
    const there = this.map.unproject([point.x + 1, point.y + 1]);
    const degPerPx: [number, number] = [
      Math.abs(there.lng - here.lng) || 1e-9,
      Math.abs(there.lat - here.lat) || 1e-9,
    ];
    return pickSensor(this.#sensors, [here.lng, here.lat], degPerPx);
  }

  /** A cell of aggregated sensors under the pointer (city zoom only), asked of the layer worker. */
  async #cellAt(point: { x: number; y: number }): Promise<boolean> {
    if (this.#sensors?.mode !== 'cells') return false;
    const here = this.map.unproject([point.x, point.y]);
    return (await this.#layers.shownInCellAt(here.lng, here.lat, this.#filter)) > 0;
  }

  #onClick = (e: maplibregl.MapMouseEvent): void => {
    const id = this.#sensorAt(e.point);
    if (id !== null) return this.#opts.onSensorClick?.(id);
    // A click on a cell zooms in to where its sensors are drawn one by one.
    void this.#cellAt(e.point).then((hit) => {
      if (hit) this.map.easeTo({ center: e.lngLat, zoom: this.map.getZoom() + 2 });
    });
  };

  /** Tells the layer worker the filter and viewport when they changed (it answers via #onLayers). */
  #refresh = (): void => {
    const b = this.map.getBounds();
    const bounds: MapView['bounds'] = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    this.#opts.onViewport?.(bounds, this.map.getZoom());
    if (!this.#table) return;
    const view: MapView = { zoom: this.map.getZoom(), bounds };
    const key = JSON.stringify([this.#filter, view]);
    if (key === this.#viewKey) return;
    this.#viewKey = key;
    this.#layers.setView(this.#filter, view);
  };

  /** New layer data from the worker: draw it. */
  #onLayers = (next: SensorLayerData): void => {
    const t0 = performance.now();
    if (next.mode !== this.#sensors?.mode) this.#opts.onModeChange?.(next.mode);
    if (!this.#sensors) performance.mark('citynerve:map-layers');
    this.#sensors = next;
    this.#pendingVersion++;
    this.#render();
    this.#layersMs = performance.now() - t0;
  };

  /** Pointer cursor over a sensor; the CPU search runs at most once per animation frame. */
  #onMouseMove = (e: maplibregl.MapMouseEvent): void => {
    this.#hoverPoint = e.point;
    if (this.#hoverFrame !== 0) return;
    this.#hoverFrame = requestAnimationFrame(() => {
      this.#hoverFrame = 0;
      if (!this.#hoverPoint) return;
      const p = this.#hoverPoint;
      const canvas = this.map.getCanvas();
      if (this.#sensorAt(p) !== null) canvas.style.cursor = 'pointer';
      else
        void this.#cellAt(p).then((hit) => {
          if (this.#hoverPoint === p) canvas.style.cursor = hit ? 'zoom-in' : '';
        });
    });
  };
}
