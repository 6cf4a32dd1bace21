// Keeps a maplibre map's canvas exactly the size of its container in device pixels. maplibre's own
// observer watches the box's CSS size only: when the device pixel ratio changed under an unchanged box (a
// window moved to a high-density screen, a re-render on another display) the canvas kept its old backing
// store, and a map whose box changed while it was being rebuilt could stay drawn in a corner of it.
import type { Map as MaplibreMap } from 'maplibre-gl';

/** Stops following; call before map.remove(). */
export type StopFollowing = () => void;

/** Whether the canvas's backing store and CSS size match the container at the current pixel ratio. */
export function canvasFits(canvas: HTMLCanvasElement, container: HTMLElement, pixelRatio: number): boolean {
  const w = container.clientWidth;
  const h = container.clientHeight;
  if (w === 0 || h === 0) return true; // hidden: nothing to draw, resized when shown
  return (
    canvas.width === Math.round(w * pixelRatio) &&
    canvas.height === Math.round(h * pixelRatio) &&
    canvas.clientWidth === w &&
    canvas.clientHeight === h
  );
}

/**
 * Resizes and repaints `map` whenever its container's size in device pixels changes (CSS size or pixel
 * ratio). Returns the stop function and `check`, which resizes at once if the canvas does not fit: call
 * it after anything that may have moved the box without the observer seeing it (a re-render, a load).
 */
export function followContainerSize(
  map: MaplibreMap,
  container: HTMLElement,
): { stop: StopFollowing; check: () => void } {
  const win = container.ownerDocument.defaultView ?? window;
  let frame = 0;
  let stopped = false;

  const check = () => {
    if (stopped) return;
    if (canvasFits(map.getCanvas(), container, win.devicePixelRatio || 1)) return;
    map.resize();
    map.triggerRepaint();
  };
  // Observer callbacks come in bursts while the page lays out; one check per frame is enough.
  const schedule = () => {
    if (frame || stopped) return;
    frame = win.requestAnimationFrame(() => {
      frame = 0;
      check();
    });
  };

  const observer = new win.ResizeObserver(schedule);
  try {
    // Device pixels catch a pixel-ratio change under an unchanged CSS box.
    observer.observe(container, { box: 'device-pixel-content-box' });
  } catch {
    observer.observe(container);
  }

  // Browsers without device-pixel-content-box still tell a pixel-ratio change through this media query.
  let query: MediaQueryList | null = null;
  const watchRatio = () => {
    query?.removeEventListener('change', onRatio);
    query = win.matchMedia?.(`(resolution: ${win.devicePixelRatio || 1}dppx)`) ?? null;
    query?.addEventListener('change', onRatio);
  };
  const onRatio = () => {
    watchRatio();
    schedule();
  };
  watchRatio();

  return {
    check,
    stop() {
      stopped = true;
      observer.disconnect();
      query?.removeEventListener('change', onRatio);
      if (frame) win.cancelAnimationFrame(frame);
    },
  };
}
