// Decides what the sensor layers draw for a table version, filter and viewport, and rebuilds only what
// changed: bins when the table, family filter or zoom bucket change; cell colours of touched cells after
// a delta; the abnormal subset per version; street-zoom points when the view leaves the queried box.
//
// Normal sensors are drawn one by one when the viewport holds at most `pointBudget` of them (default
// POINT_BUDGET) or from zoom INDIVIDUAL_MIN_ZOOM on; otherwise aggregated into grid cells of about CELL_PX pixels,
// each drawn as a soft round dot whose size and opacity follow its count.
// With 500,000 sensors that switch happens around zoom 15 (a few streets); a small district is drawn
// one by one at every zoom. Abnormal sensors are always drawn one by one, on top.
import { binSensors, cellOf, cellSummary, gridFor, offsetBounds, rowsInBox, updateBins } from './binning';
import type { SensorBins } from './binning';
import { cellRadiusM, writeCellColor } from './colors';
import {
  abnormalPoints,
  familyMask,
  rowPoints,
  stateMask,
  type BinaryPoints,
  type ColorAttribute,
  type DrawnTable,
  type PickTarget,
  type PositionAttribute,
  type RadiusAttribute,
  type SensorFilter,
} from './sensor-data';

/** From this zoom on, normal sensors are always drawn individually (the viewport is a few blocks). */
export const INDIVIDUAL_MIN_ZOOM = 16;
/** At most this many normal sensors in the viewport are drawn individually (below INDIVIDUAL_MIN_ZOOM). */
export const POINT_BUDGET = 12_000;
/** Coarsest and finest zoom buckets: zooming further out or in keeps these cells. */
const MIN_BUCKET = 9;
const MAX_BUCKET = 15;
/** Cell edge in screen pixels at the bucket's zoom. */
const CELL_PX = 22;
/** Street-zoom points are queried for the viewport grown by this share of its size on every side. */
const VIEW_PAD = 0.25;
const EARTH_CIRCUMFERENCE_M = 40_075_016.686;
const METRES_PER_DEG_LAT = 111_320;

/** Aggregated cells drawn as round dots: centres as [dLon, dLat] from the table's origin. */
export interface CellPoints {
  length: number;
  /** Radius in metres per cell: the dot's area follows the cell's sensor count (fixed under deltas). */
  attributes: { getPosition: PositionAttribute; getFillColor: ColorAttribute; getRadius: RadiusAttribute };
  /** Cell edge on the ground, in metres. */
  cellSizeM: number;
}

/** Everything the sensor layers draw; a new object only when something drawn changed. */
export interface SensorLayerData extends PickTarget {
  /** The stream's version counter when built. */
  version: number;
  /** [lon, lat, 0] that positions are relative to. */
  origin: [number, number, number];
  /** 'cells' when normal sensors are aggregated, 'points' when drawn one by one. */
  mode: 'cells' | 'points';
  /** Normal sensors aggregated (city zoom); null at street zoom or when normal sensors are hidden. */
  cells: CellPoints | null;
  /** Normal sensors in and around the viewport (street zoom); null otherwise. */
  normal: BinaryPoints | null;
  /** Warning, alarm and offline sensors, always individual. */
  abnormal: BinaryPoints;
}

/** The map's viewport. */
export interface MapView {
  zoom: number;
  /** [west, south, east, north] in degrees. */
  bounds: [number, number, number, number];
}

/** Zoom bucket whose cell size is used at `zoom` (integer zooms, clamped). */
export function zoomBucket(zoom: number): number {
  return Math.min(MAX_BUCKET, Math.max(MIN_BUCKET, Math.floor(zoom)));
}

/** Ground metres of one screen pixel at `zoom` and latitude `lat` (maplibre's 512 px tiles). */
export function metresPerPixel(zoom: number, lat: number): number {
  return (EARTH_CIRCUMFERENCE_M * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** zoom);
}

const filterKey = (f: SensorFilter) => [...f.hiddenFamilies].sort().join(',');
const stateKey = (f: SensorFilter) => [...f.hiddenStates].sort().join(',');
const EMPTY_ROWS = new Uint32Array(0);

export class SensorView {
  readonly #pointBudget: number;
  #table: DrawnTable | null = null;
  #bounds: [number, number, number, number] = [0, 0, 0, 0];
  #data: SensorLayerData | null = null;
  #bins: SensorBins | null = null;
  #binsKey = '';
  #binsVersion = -1;
  #cells: CellPoints | null = null;
  #cellsKey = '';
  /** The state mask the cells were coloured with. */
  #cellsStates: Uint8Array = new Uint8Array(256);
  #abnormal: { points: BinaryPoints; rows: Uint32Array } | null = null;
  #abnormalKey = '';
  #normal: BinaryPoints | null = null;
  #normalRows: Uint32Array = EMPTY_ROWS;
  #normalKey = '';
  #normalBox: [number, number, number, number] = [0, 0, 0, 0];
  /** Milliseconds the last full binning took, for the curious (and the benchmark). */
  lastBinMs = 0;

  constructor(options: { pointBudget?: number } = {}) {
    this.#pointBudget = options.pointBudget ?? POINT_BUDGET;
  }

  /** The layer data for this state of the world; the previous object when nothing drawn changed. */
  update(table: DrawnTable, version: number, filter: SensorFilter, view: MapView): SensorLayerData {
    if (table !== this.#table) this.#reset(table);
    const fKey = filterKey(filter);
    const sKey = stateKey(filter);
    const families = familyMask(table.families, filter);
    const states = stateMask(filter);
    const bins = this.#binsFor(table, version, fKey, zoomBucket(view.zoom), families);
    const box = this.#offsetBox(table, view);
    const mode =
      view.zoom >= INDIVIDUAL_MIN_ZOOM || sensorsInBox(bins, box) <= this.#pointBudget ? 'points' : 'cells';

    let cells: CellPoints | null = null;
    if (mode === 'cells' && states[0] === 1) {
      if (!this.#cells || this.#cellsKey !== sKey) {
        this.#cells = this.#buildCells(table, bins, states);
        this.#cellsKey = sKey;
        this.#cellsStates = states;
      }
      cells = this.#cells;
    }

    const aKey = `${version}|${fKey}|${sKey}`;
    if (!this.#abnormal || this.#abnormalKey !== aKey) {
      this.#abnormal = abnormalPoints(table, families, states);
      this.#abnormalKey = aKey;
    }

    if (mode === 'points' && states[0] === 1)
      this.#updateNormal(table, bins, `${aKey}|${this.#binsKey}`, box);
    const normal = mode === 'points' && states[0] === 1 ? this.#normal : null;
    const normalRows = normal ? this.#normalRows : EMPTY_ROWS;

    const prev = this.#data;
    if (
      prev &&
      prev.mode === mode &&
      prev.cells === cells &&
      prev.normal === normal &&
      prev.abnormal === this.#abnormal.points
    ) {
      return prev;
    }
    this.#data = {
      table,
      version,
      origin: [table.origin[0], table.origin[1], 0],
      mode,
      cells,
      normal,
      normalRows,
      abnormal: this.#abnormal.points,
      abnormalRows: this.#abnormal.rows,
    };
    return this.#data;
  }

  /** Shown sensors in the grid cell under [lon, lat] (city zoom); 0 when none. */
  shownInCellAt(lon: number, lat: number, filter: SensorFilter): number {
    const bins = this.#bins;
    const table = this.#table;
    if (!bins || !table) return 0;
    const cell = cellOf(bins.grid, lon - table.origin[0], lat - table.origin[1]);
    return cell < 0 ? 0 : cellSummary(bins, cell, stateMask(filter)).shown;
  }

  #reset(table: DrawnTable): void {
    this.#table = table;
    this.#bounds = offsetBounds(table.offsets);
    this.#bins = this.#cells = this.#abnormal = this.#normal = this.#data = null;
    this.#binsKey = this.#cellsKey = this.#abnormalKey = this.#normalKey = '';
    this.#binsVersion = -1;
    this.#normalRows = EMPTY_ROWS;
  }

  #binsFor(
    table: DrawnTable,
    version: number,
    fKey: string,
    bucket: number,
    families: Uint8Array,
  ): SensorBins {
    const key = `${fKey}|${bucket}`;
    if (!this.#bins || this.#binsKey !== key) {
      const t0 = performance.now();
      const sizeM = CELL_PX * metresPerPixel(bucket, table.origin[1]);
      const cellH = sizeM / METRES_PER_DEG_LAT;
      const cellW = cellH / Math.cos((table.origin[1] * Math.PI) / 180);
      this.#bins = binSensors(table, gridFor(this.#bounds, cellW, cellH), families);
      this.lastBinMs = performance.now() - t0;
      this.#binsKey = key;
      this.#binsVersion = version;
      this.#cells = null;
      return this.#bins;
    }
    if (this.#binsVersion !== version) {
      const touched = updateBins(this.#bins, table.states);
      this.#binsVersion = version;
      if (this.#cells && touched.length > 0) this.#recolour(this.#bins, this.#cells, touched);
    }
    return this.#bins;
  }

  #buildCells(table: DrawnTable, bins: SensorBins, states: Uint8Array): CellPoints {
    const { grid, occupied } = bins;
    const n = occupied.length;
    const positions = new Float32Array(2 * n);
    const colors = new Uint8Array(4 * n);
    const radii = new Float32Array(n);
    const cellSizeM = grid.cellH * METRES_PER_DEG_LAT;
    for (let k = 0; k < n; k++) {
      const cell = occupied[k];
      radii[k] = cellRadiusM(cellSizeM, bins.maxTotal > 0 ? bins.totals[cell] / bins.maxTotal : 0);
      positions[2 * k] = grid.x0 + ((cell % grid.cols) + 0.5) * grid.cellW;
      positions[2 * k + 1] = grid.y0 + (Math.floor(cell / grid.cols) + 0.5) * grid.cellH;
      this.#writeColor(bins, cell, states, colors, 4 * k);
    }
    return {
      length: n,
      attributes: {
        getPosition: { value: positions, size: 2 },
        getFillColor: { value: colors, size: 4, normalized: true },
        getRadius: { value: radii, size: 1 },
      },
      cellSizeM,
    };
  }

  /** Recolours only the touched cells, in place, and hands deck a new colour descriptor (positions stay). */
  #recolour(bins: SensorBins, cells: CellPoints, touched: Uint32Array): void {
    const colors = cells.attributes.getFillColor.value;
    const states = this.#cellsStates;
    for (const cell of touched) {
      const k = lowerBound(bins.occupied, cell);
      if (bins.occupied[k] === cell) this.#writeColor(bins, cell, states, colors, 4 * k);
    }
    this.#cells = {
      ...cells,
      attributes: { ...cells.attributes, getFillColor: { value: colors, size: 4, normalized: true } },
    };
  }

  #writeColor(bins: SensorBins, cell: number, states: Uint8Array, out: Uint8Array, o: number): void {
    const { shown, abnormal, worst } = cellSummary(bins, cell, states);
    const density = bins.maxTotal > 0 ? bins.totals[cell] / bins.maxTotal : 0;
    writeCellColor(out, o, shown, abnormal, worst, density);
  }

  /** The viewport in the table's offset space. */
  #offsetBox(table: DrawnTable, view: MapView): [number, number, number, number] {
    const [ox, oy] = table.origin;
    return [view.bounds[0] - ox, view.bounds[1] - oy, view.bounds[2] - ox, view.bounds[3] - oy];
  }

  #updateNormal(
    table: DrawnTable,
    bins: SensorBins,
    key: string,
    box: [number, number, number, number],
  ): void {
    const held = this.#normalBox;
    const inside = box[0] >= held[0] && box[1] >= held[1] && box[2] <= held[2] && box[3] <= held[3];
    if (this.#normal && this.#normalKey === key && inside) return;
    const padX = (box[2] - box[0]) * VIEW_PAD;
    const padY = (box[3] - box[1]) * VIEW_PAD;
    this.#normalBox = [box[0] - padX, box[1] - padY, box[2] + padX, box[3] + padY];
    const normalOnly = new Uint8Array(256);
    normalOnly[0] = 1;
    this.#normalRows = rowsInBox(bins, table.states, this.#normalBox, normalOnly);
    this.#normal = rowPoints(table, this.#normalRows);
    this.#normalKey = key;
  }
}

/** Sensors (all states) in the cells the box touches: the cost of drawing them one by one. */
function sensorsInBox(bins: SensorBins, box: [number, number, number, number]): number {
  const { grid, cellStart } = bins;
  const c0 = Math.max(0, Math.floor((box[0] - grid.x0) / grid.cellW));
  const c1 = Math.min(grid.cols - 1, Math.floor((box[2] - grid.x0) / grid.cellW));
  const r0 = Math.max(0, Math.floor((box[1] - grid.y0) / grid.cellH));
  const r1 = Math.min(grid.rows - 1, Math.floor((box[3] - grid.y0) / grid.cellH));
  if (c0 > c1) return 0;
  let n = 0;
  for (let r = r0; r <= r1; r++) n += cellStart[r * grid.cols + c1 + 1] - cellStart[r * grid.cols + c0];
  return n;
}

/** First index of sorted `arr` whose value is >= `value`. */
function lowerBound(arr: Uint32Array, value: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
