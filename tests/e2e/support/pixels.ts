// Reads what the map canvas actually shows: decodes a screenshot and classifies pixels by colour.
import type { Locator } from '@playwright/test';
import { PNG } from 'pngjs';

export interface Picture {
  width: number;
  height: number;
  /** [r, g, b] at a pixel. */
  at(x: number, y: number): [number, number, number];
}

export async function picture(target: Locator): Promise<Picture> {
  const png = PNG.sync.read(await target.screenshot({ animations: 'disabled' }));
  return {
    width: png.width,
    height: png.height,
    at(x, y) {
      const i = (Math.round(y) * png.width + Math.round(x)) * 4;
      return [png.data[i], png.data[i + 1], png.data[i + 2]];
    },
  };
}

export type PixelKind = 'normal' | 'warning' | 'alarm' | 'offline' | 'other';

/** Which sensor state colour a pixel shows (green, amber, red, grey), or 'other' for map and text. */
export function classify([r, g, b]: [number, number, number]): PixelKind {
  if (g > 140 && g > r + 50 && g > b + 30) return 'normal';
  if (r > 200 && g > 120 && g < 215 && b < 90) return 'warning';
  if (r > 190 && g < 110 && b < 110) return 'alarm';
  if (Math.abs(r - g) < 14 && Math.abs(g - b) < 18 && r > 120 && r < 190) return 'offline';
  return 'other';
}

/** Looks in a small square around (x, y) and returns the most frequent non-'other' kind. */
export function kindNear(p: Picture, x: number, y: number, radius = 2): PixelKind {
  const tally = new Map<PixelKind, number>();
  for (let dy = -radius; dy <= radius; dy++)
    for (let dx = -radius; dx <= radius; dx++) {
      const k = classify(p.at(x + dx, y + dy));
      if (k !== 'other') tally.set(k, (tally.get(k) ?? 0) + 1);
    }
  let best: PixelKind = 'other';
  let n = 0;
  for (const [k, c] of tally) if (c > n) [best, n] = [k, c];
  return best;
}

/** Counts pixels per kind over the whole picture (every 2nd pixel, which is plenty). */
export function census(p: Picture): Record<PixelKind, number> {
  const out: Record<PixelKind, number> = { normal: 0, warning: 0, alarm: 0, offline: 0, other: 0 };
  for (let y = 0; y < p.height; y += 2) for (let x = 0; x < p.width; x += 2) out[classify(p.at(x, y))]++;
  return out;
}
