// Map helpers for browser tests: zooming in and finding a sensor whose pixels are its own.
import type { Page } from '@playwright/test';
import { waitForMap } from './fixtures';

/**
 * Zooms in `steps` whole levels around the centre (two: single sensors a few pixels apart) and returns once
 * the camera has stopped and the sensors are drawn for the new view. Each click waits for the previous
 * animation to end: a click during one eases from wherever the zoom is at that moment, so fast clicks
 * added up to less than a level each, and a fixed pause was too short on a loaded machine (positions read
 * mid-animation pointed at the wrong pixels).
 */
export async function zoomIn(page: Page, steps = 2) {
  const before = await page.evaluate(() => window.__citynerve!.zoom());
  for (let i = 1; i <= steps; i++) {
    // The control starts the animation in its click handler, so `moving()` is already true here.
    await page.locator('.maplibregl-ctrl-zoom-in').click();
    await page.waitForFunction(
      (min) => {
        const h = window.__citynerve!;
        return !h.moving() && h.zoom() >= min;
      },
      before + i - 0.01,
      { timeout: 30_000 },
    );
  }
  await waitForMap(page);
  // Two frames, so the sensors drawn for the final camera are on the canvas.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Normal sensors drawn well apart from their neighbours inside the visible map (their pixels are their own). */
export async function isolatedSensors(page: Page, minGapPx = 16, max = 30) {
  return page.evaluate(
    ({ gap, max }) => {
      const h = window.__citynerve!;
      const map = document.querySelector('[data-testid="map"]')!.getBoundingClientRect();
      const pts: { id: number; x: number; y: number }[] = [];
      for (let id = 1; id <= 5000; id++) {
        const p = h.positionOf(id);
        if (!p) continue;
        const [x, y] = h.project(p[0], p[1]);
        pts.push({ id, x, y });
      }
      const inside = pts.filter(
        (p) => p.x > 80 && p.y > 80 && p.x < map.width - 380 && p.y < map.height - 80,
      );
      const found: { id: number; x: number; y: number }[] = [];
      for (const p of inside) {
        if (h.stateOf(p.id) !== 0) continue;
        const near = pts.some((q) => q.id !== p.id && Math.hypot(q.x - p.x, q.y - p.y) < gap);
        if (!near) found.push(p);
        if (found.length >= max) break;
      }
      return found;
    },
    { gap: minGapPx, max },
  );
}

/** The first of isolatedSensors, or null. */
export async function isolatedSensor(page: Page, minGapPx = 16) {
  return (await isolatedSensors(page, minGapPx, 1))[0] ?? null;
}
