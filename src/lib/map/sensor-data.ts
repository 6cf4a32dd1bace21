// Turns the live sensor table into deck.gl binary data, reusing buffers so that only what changed is
// re-uploaded: positions once per snapshot, colours (and the small abnormal subset) once per version.
import type { LiveSensorTable } from '$lib/streams/sensor-table';
import { fillStateColors, STATE_RGBA } from './colors';

/** deck.gl binary attribute descriptors; a new descriptor object makes deck re-upload that attribute. */
export interface PositionAttribute {
  value: Float32Array;
  size: 2;
}
export interface ColorAttribute {
  value: Uint8Array;
  size: 4;
  normalized: true;
}
export interface RadiusAttribute {
  value: Float32Array;
  size: 1;
}

/** Points for a ScatterplotLayer, positions as [dLon, dLat] from the table's origin. */
export interface BinaryPoints {
  length: number;
  attributes: { getPosition: PositionAttribute; getFillColor: ColorAttribute; getRadius?: RadiusAttribute };
}

/** Everything the sensor layers draw, for one table version. */
export interface SensorLayerData {
  /** The table this was built from. */
  table: LiveSensorTable;
  /** The stream's version counter when built. */
  version: number;
  /** [lon, lat, 0] that positions are relative to. */
  origin: [number, number, number];
  /** Every sensor. */
  all: BinaryPoints;
  /** Only warning, alarm and offline sensors, alarms last so they are drawn on top. */
  abnormal: BinaryPoints;
  /** Table row of each abnormal point, for picking. */
  abnormalRows: Uint32Array;
}

/** Pixel radius of abnormal sensors by state code (normal ones are not in that layer). */
const ABNORMAL_RADIUS = [0, 5, 6, 4];
/** Drawing order of abnormal states: offline below warning below alarm. */
const ABNORMAL_ORDER = [3, 1, 2];

/** Builds layer data for `table` at `version`; passes `previous` to reuse its buffers. */
export function sensorLayerData(
  table: LiveSensorTable,
  version: number,
  previous: SensorLayerData | null,
): SensorLayerData {
  if (previous && previous.table === table && previous.version === version) return previous;
  const sameTable = previous?.table === table;
  const getPosition: PositionAttribute = sameTable
    ? previous.all.attributes.getPosition
    : { value: table.offsets, size: 2 };
  const colors = sameTable ? previous.all.attributes.getFillColor.value : new Uint8Array(4 * table.count);
  fillStateColors(table.states, colors);
  const { abnormal, abnormalRows } = abnormalPoints(table);
  return {
    table,
    version,
    origin: [table.origin[0], table.origin[1], 0],
    all: {
      length: table.count,
      attributes: { getPosition, getFillColor: { value: colors, size: 4, normalized: true } },
    },
    abnormal,
    abnormalRows,
  };
}

function abnormalPoints(table: LiveSensorTable): { abnormal: BinaryPoints; abnormalRows: Uint32Array } {
  const { states, offsets } = table;
  const total = table.counts.warning + table.counts.alarm + table.counts.offline;
  const rows = new Uint32Array(total);
  let n = 0;
  for (const code of ABNORMAL_ORDER) {
    for (let i = 0; i < states.length && n < total; i++) if (states[i] === code) rows[n++] = i;
  }
  const positions = new Float32Array(2 * n);
  const colors = new Uint8Array(4 * n);
  const radii = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const row = rows[k];
    positions[2 * k] = offsets[2 * row];
    positions[2 * k + 1] = offsets[2 * row + 1];
    const c = STATE_RGBA[states[row]];
    colors.set(c, 4 * k);
    radii[k] = ABNORMAL_RADIUS[states[row]];
  }
  return {
    abnormalRows: rows.subarray(0, n),
    abnormal: {
      length: n,
      attributes: {
        getPosition: { value: positions, size: 2 },
        getFillColor: { value: colors, size: 4, normalized: true },
        getRadius: { value: radii, size: 1 },
      },
    },
  };
}

/**
 * The sensor nearest to a click, searched on the CPU (cheap, and no GPU picking pass on every mouse move).
 * `degPerPx` converts degrees to screen pixels around the click; abnormal sensors win within their radius.
 */
export function pickSensor(
  data: SensorLayerData,
  lngLat: [number, number],
  degPerPx: [number, number],
  tolerancePx = 4,
): number | null {
  const { table } = data;
  const dx0 = lngLat[0] - table.origin[0];
  const dy0 = lngLat[1] - table.origin[1];
  const nearest = (rows: Uint32Array | null, count: number, maxPx: number): number | null => {
    let best: number | null = null;
    let bestD = maxPx * maxPx;
    for (let k = 0; k < count; k++) {
      const row = rows ? rows[k] : k;
      const dx = (table.offsets[2 * row] - dx0) / degPerPx[0];
      const dy = (table.offsets[2 * row + 1] - dy0) / degPerPx[1];
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = row;
      }
    }
    return best;
  };
  const row =
    nearest(data.abnormalRows, data.abnormalRows.length, Math.max(...ABNORMAL_RADIUS) + tolerancePx) ??
    nearest(null, table.count, 2 + tolerancePx);
  return row === null ? null : table.ids[row];
}
