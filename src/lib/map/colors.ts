// The map's palette in one place, shared by the deck layers (RGBA bytes) and the legend (CSS).
import { SENSOR_STATES, type SensorStateName } from '$lib/streams/contract';

export type Rgba = [number, number, number, number];

/** Fill colour per state, indexed by state code: normal green, warning amber, alarm red, offline grey. */
export const STATE_RGBA: readonly Rgba[] = [
  [46, 204, 113, 190],
  [255, 176, 32, 255],
  [240, 60, 50, 255],
  [150, 156, 166, 255],
];

/** Outline around abnormal sensors so they stand out on any fill. */
export const ABNORMAL_OUTLINE: Rgba = [255, 255, 255, 235];

/** Street label colours (text, halo). */
export const LABEL_RGBA: Rgba = [214, 226, 240, 235];
export const LABEL_HALO_RGBA: Rgba = [8, 14, 22, 230];

/** Basemap colours (the offline style). */
export const BASEMAP = {
  background: '#0a1017',
  districtFill: { xuhui: '#15304a', jingan: '#2a2650', other: '#1b2430' },
  streetLine: '#3f6688',
  districtLine: '#86b6dc',
} as const;

export function stateCss(state: SensorStateName): string {
  const [r, g, b] = STATE_RGBA[SENSOR_STATES.indexOf(state)];
  return `rgb(${r} ${g} ${b})`;
}

/** Writes the RGBA fill of every sensor into `out` (4 bytes per sensor); unknown states get offline grey. */
export function fillStateColors(states: Uint8Array, out: Uint8Array): Uint8Array {
  const fallback = STATE_RGBA[3];
  for (let i = 0; i < states.length; i++) {
    const c = STATE_RGBA[states[i]] ?? fallback;
    const o = 4 * i;
    out[o] = c[0];
    out[o + 1] = c[1];
    out[o + 2] = c[2];
    out[o + 3] = c[3];
  }
  return out;
}

/**
 * Fill of a city-zoom dot of healthy sensors: a muted slate green close to the district fills, so a screen
 * of thousands of healthy sensors reads as quiet texture and the warning, alarm and offline dots stand out.
 */
export const CELL_NORMAL_RGB: readonly [number, number, number] = [96, 150, 128];

/** Opacity of a healthy cell dot from the sparsest to the densest cell. */
const CELL_NORMAL_ALPHA: readonly [number, number] = [0.22, 0.5];
/** Opacity of a cell dot holding abnormal sensors: a halo under their own dots. */
const CELL_ABNORMAL_ALPHA: readonly [number, number] = [0.45, 0.7];

/**
 * Writes the RGBA of one aggregated cell at byte `o` of `out`: muted green, tinted towards the worst shown
 * state by the abnormal share (any abnormal sensor gives a visible tint), opacity by density (`density`
 * 0..1) and stronger when the cell holds abnormal sensors.
 */
export function writeCellColor(
  out: Uint8Array,
  o: number,
  shown: number,
  abnormal: number,
  worst: number,
  density: number,
): void {
  if (shown === 0) {
    out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
    return;
  }
  const share = abnormal / shown;
  const t = abnormal === 0 ? 0 : 0.55 + 0.45 * Math.min(1, share / 0.25);
  const c = STATE_RGBA[worst] ?? STATE_RGBA[3];
  out[o] = Math.round(CELL_NORMAL_RGB[0] + (c[0] - CELL_NORMAL_RGB[0]) * t);
  out[o + 1] = Math.round(CELL_NORMAL_RGB[1] + (c[1] - CELL_NORMAL_RGB[1]) * t);
  out[o + 2] = Math.round(CELL_NORMAL_RGB[2] + (c[2] - CELL_NORMAL_RGB[2]) * t);
  const [lo, hi] = abnormal === 0 ? CELL_NORMAL_ALPHA : CELL_ABNORMAL_ALPHA;
  out[o + 3] = Math.round(255 * (lo + (hi - lo) * Math.sqrt(Math.min(1, Math.max(0, density)))));
}

/** Radius of a cell's dot as a share of the cell edge, from the sparsest to the densest cell. */
export const CELL_RADIUS_SHARE: readonly [number, number] = [0.16, 0.4];

/** Radius in metres of the dot of a cell with edge `cellSizeM` and `density` 0..1 (area follows the count). */
export function cellRadiusM(cellSizeM: number, density: number): number {
  const [lo, hi] = CELL_RADIUS_SHARE;
  return cellSizeM * (lo + (hi - lo) * Math.sqrt(Math.min(1, Math.max(0, density))));
}
