// Which deltas the map asks for: the whole city at district zoom, or a padded box around the view when
// zoomed in (a few streets), so a wall of 500,000 sensors sends each officer only what they look at.
import type { Bbox } from '$lib/streams/contract';

/** Below this zoom the view spans most of a district: scoping would save little, ask for everything. */
export const SCOPE_MIN_ZOOM = 13;
/** Boxes snap outwards to this grid (degrees) so small pans do not change the scope. */
const SNAP = 0.01;

/** The box to scope deltas to for a view, or null for the whole city. */
export function deltaScope(view: Bbox, zoom: number): Bbox | null {
  if (!(zoom >= SCOPE_MIN_ZOOM)) return null;
  const [w, s, e, n] = view;
  // Half a view of margin on every side: a pan of up to half a screen needs no catch-up.
  const padX = (e - w) / 2;
  const padY = (n - s) / 2;
  const down = (v: number) => Math.floor(v / SNAP) * SNAP;
  const up = (v: number) => Math.ceil(v / SNAP) * SNAP;
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  return [
    r(Math.max(-180, down(w - padX))),
    r(Math.max(-90, down(s - padY))),
    r(Math.min(180, up(e + padX))),
    r(Math.min(90, up(n + padY))),
  ];
}
