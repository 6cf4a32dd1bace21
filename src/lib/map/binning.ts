// City-zoom aggregation: sensors binned into a grid of cells (in degrees, square on the ground) on the
// CPU, in one pass over the table's typed arrays into typed arrays. Pure; no deck.gl, no DOM.

/** Rows whose family is filtered out get this cell. */
export const NO_CELL = -1;

/** A grid over the table's offset space (degrees from the table origin). */
export interface GridSpec {
  /** Offset [dLon, dLat] of the grid's lower-left corner. */
  x0: number;
  y0: number;
  /** Cell width in degrees of longitude and height in degrees of latitude. */
  cellW: number;
  cellH: number;
  /** Columns and rows; cell index = row * cols + col. */
  cols: number;
  rows: number;
}

/** Sensors per grid cell and state, plus a spatial index of the rows by cell. */
export interface SensorBins {
  grid: GridSpec;
  /** Cell of each table row, NO_CELL when its family is filtered out. */
  rowCell: Int32Array;
  /** Sensors per cell and state: stateCounts[4 * cell + state]. */
  stateCounts: Uint32Array;
  /** Sensors per cell over all states (constant under state deltas; drives the opacity). */
  totals: Uint32Array;
  /** Largest value of `totals`. */
  maxTotal: number;
  /** Rows grouped by cell: cellRows[cellStart[c] .. cellStart[c + 1]). */
  cellStart: Uint32Array;
  cellRows: Uint32Array;
  /** Cells with at least one sensor, ascending. */
  occupied: Uint32Array;
  /** The state of each row when last binned, to find what a delta changed. */
  binnedStates: Uint8Array;
}

/** The columns of the live table that binning reads. */
export interface BinInput {
  /** Interleaved [dLon, dLat] from the table's origin. */
  offsets: Float32Array;
  /** State code per row. */
  states: Uint8Array;
  /** Family index per row. */
  familyIndex: Uint8Array;
}

/** Smallest box around all offsets: [minX, minY, maxX, maxY]; zeros for an empty table. */
export function offsetBounds(offsets: Float32Array): [number, number, number, number] {
  if (offsets.length < 2) return [0, 0, 0, 0];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < offsets.length; i += 2) {
    const x = offsets[i];
    const y = offsets[i + 1];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}

/** A grid of `cellW` × `cellH` degree cells covering `bounds`, aligned to multiples of the cell size. */
export function gridFor(bounds: [number, number, number, number], cellW: number, cellH: number): GridSpec {
  const x0 = Math.floor(bounds[0] / cellW) * cellW;
  const y0 = Math.floor(bounds[1] / cellH) * cellH;
  const cols = Math.max(1, Math.floor((bounds[2] - x0) / cellW) + 1);
  const rows = Math.max(1, Math.floor((bounds[3] - y0) / cellH) + 1);
  return { x0, y0, cellW, cellH, cols, rows };
}

/** Cell index of an offset, or NO_CELL outside the grid. */
export function cellOf(grid: GridSpec, x: number, y: number): number {
  const c = Math.floor((x - grid.x0) / grid.cellW);
  const r = Math.floor((y - grid.y0) / grid.cellH);
  if (c < 0 || r < 0 || c >= grid.cols || r >= grid.rows) return NO_CELL;
  return r * grid.cols + c;
}

/**
 * Bins every row whose family is on in `familyOn` (indexed by family index; 1 = shown). All states are
 * counted; the state filter is applied when the cells are drawn, so a delta never changes which rows
 * belong to the bins.
 */
export function binSensors(input: BinInput, grid: GridSpec, familyOn: Uint8Array): SensorBins {
  const { offsets, states, familyIndex } = input;
  const n = states.length;
  const cells = grid.cols * grid.rows;
  const rowCell = new Int32Array(n);
  const stateCounts = new Uint32Array(4 * cells);
  const totals = new Uint32Array(cells);
  const { x0, y0, cellW, cellH, cols, rows } = grid;
  for (let i = 0; i < n; i++) {
    if (familyOn[familyIndex[i]] !== 1) {
      rowCell[i] = NO_CELL;
      continue;
    }
    let c = Math.floor((offsets[2 * i] - x0) / cellW);
    let r = Math.floor((offsets[2 * i + 1] - y0) / cellH);
    // Float rounding at the far edge must not drop a sensor: clamp into the grid.
    c = c < 0 ? 0 : c >= cols ? cols - 1 : c;
    r = r < 0 ? 0 : r >= rows ? rows - 1 : r;
    const cell = r * cols + c;
    rowCell[i] = cell;
    totals[cell]++;
    const s = states[i];
    if (s < 4) stateCounts[4 * cell + s]++;
  }
  // Counting sort of the rows by cell: the spatial index used for viewport queries.
  const cellStart = new Uint32Array(cells + 1);
  let maxTotal = 0;
  let occupiedCount = 0;
  for (let c = 0; c < cells; c++) {
    const t = totals[c];
    cellStart[c + 1] = cellStart[c] + t;
    if (t > maxTotal) maxTotal = t;
    if (t > 0) occupiedCount++;
  }
  const cursor = cellStart.slice(0, cells);
  const cellRows = new Uint32Array(cellStart[cells]);
  for (let i = 0; i < n; i++) {
    const cell = rowCell[i];
    if (cell !== NO_CELL) cellRows[cursor[cell]++] = i;
  }
  const occupied = new Uint32Array(occupiedCount);
  for (let c = 0, k = 0; c < cells; c++) if (totals[c] > 0) occupied[k++] = c;
  return {
    grid,
    rowCell,
    stateCounts,
    totals,
    maxTotal,
    cellStart,
    cellRows,
    occupied,
    binnedStates: states.slice(),
  };
}

/**
 * Brings `bins` up to date with `states` (the same table, patched in place by deltas): only rows whose
 * state differs from the binned one move between state counts. Returns the cells that changed, ascending.
 */
export function updateBins(bins: SensorBins, states: Uint8Array): Uint32Array {
  const { binnedStates, rowCell, stateCounts } = bins;
  const touched: number[] = [];
  for (let i = 0; i < states.length; i++) {
    const next = states[i];
    const prev = binnedStates[i];
    if (next === prev) continue;
    binnedStates[i] = next;
    const cell = rowCell[i];
    if (cell === NO_CELL) continue;
    if (prev < 4) stateCounts[4 * cell + prev]--;
    if (next < 4) stateCounts[4 * cell + next]++;
    touched.push(cell);
  }
  const cells = Uint32Array.from(new Set(touched));
  return cells.sort();
}

/** Severity rank of a state code for "worst state": alarm > warning > offline > normal. */
const SEVERITY = [0, 2, 3, 1];

/** Summary of one cell under a state filter (`stateOn[code]` = 1 when that state is shown). */
export interface CellSummary {
  /** Sensors of the shown states. */
  shown: number;
  /** Of which warning, alarm or offline. */
  abnormal: number;
  /** Most severe shown state present (0 when none is abnormal). */
  worst: number;
}

export function cellSummary(bins: SensorBins, cell: number, stateOn: Uint8Array): CellSummary {
  let shown = 0;
  let abnormal = 0;
  let worst = 0;
  for (let s = 0; s < 4; s++) {
    if (stateOn[s] !== 1) continue;
    const k = bins.stateCounts[4 * cell + s];
    if (k === 0) continue;
    shown += k;
    if (s !== 0) {
      abnormal += k;
      if (SEVERITY[s] > SEVERITY[worst]) worst = s;
    }
  }
  return { shown, abnormal, worst };
}

/** Rows of the bins inside offset box [minX, minY, maxX, maxY] whose state is on in `stateOn`. */
export function rowsInBox(
  bins: SensorBins,
  states: Uint8Array,
  box: [number, number, number, number],
  stateOn: Uint8Array,
): Uint32Array {
  const { grid, cellStart, cellRows } = bins;
  const c0 = Math.max(0, Math.floor((box[0] - grid.x0) / grid.cellW));
  const c1 = Math.min(grid.cols - 1, Math.floor((box[2] - grid.x0) / grid.cellW));
  const r0 = Math.max(0, Math.floor((box[1] - grid.y0) / grid.cellH));
  const r1 = Math.min(grid.rows - 1, Math.floor((box[3] - grid.y0) / grid.cellH));
  let size = 0;
  for (let r = r0; r <= r1; r++) size += cellStart[r * grid.cols + c1 + 1] - cellStart[r * grid.cols + c0];
  const out = new Uint32Array(Math.max(0, size));
  let n = 0;
  for (let r = r0; r <= r1; r++) {
    const end = cellStart[r * grid.cols + c1 + 1];
    for (let k = cellStart[r * grid.cols + c0]; k < end; k++) {
      const row = cellRows[k];
      if (stateOn[states[row]] === 1) out[n++] = row;
    }
  }
  return out.subarray(0, n);
}
