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

/** Fill of a city-zoom cell of normal sensors; brighter than single dots so sparse cells still read. */
export const CELL_NORMAL_RGB: readonly [number, number, number] = [56, 214, 120];

/**
 * Writes the RGBA of one aggregated cell at byte `o` of `out`: green tinted towards the worst shown state
 * by the abnormal share (any abnormal sensor gives a visible tint), opacity by density (`density` 0..1).
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
  const t = abnormal === 0 ? 0 : 0.3 + 0.7 * Math.min(1, share / 0.25);
  const c = STATE_RGBA[worst] ?? STATE_RGBA[3];
  out[o] = Math.round(CELL_NORMAL_RGB[0] + (c[0] - CELL_NORMAL_RGB[0]) * t);
  out[o + 1] = Math.round(CELL_NORMAL_RGB[1] + (c[1] - CELL_NORMAL_RGB[1]) * t);
  out[o + 2] = Math.round(CELL_NORMAL_RGB[2] + (c[2] - CELL_NORMAL_RGB[2]) * t);
  // Never so faint that a one-sensor cell disappears against the district fill.
  out[o + 3] = Math.round(255 * (0.42 + 0.5 * Math.sqrt(Math.min(1, Math.max(0, density)))));
}
