// The case page's mini-map stays fully drawn when the page re-renders after a case action and when the
// screen under it changed (a window dragged to a high-density screen, a narrower window): the canvas matches
// its container pixel for pixel and the map covers the whole box with the case's dot in the middle.
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { picture } from './support/pixels';

/** The container's size in CSS pixels, the canvas's backing store and the device pixel ratio. */
function canvasFit(page: Page) {
  return page.evaluate(() => {
    const box = document.querySelector<HTMLElement>('[data-testid="case-map"]')!;
    const canvas = box.querySelector('canvas')!;
    return {
      want: [Math.round(box.clientWidth * devicePixelRatio), Math.round(box.clientHeight * devicePixelRatio)],
      got: [canvas.width, canvas.height],
      shown: [canvas.clientWidth, canvas.clientHeight],
      box: [box.clientWidth, box.clientHeight],
    };
  });
}

/** Waits until the canvas is the container's size × devicePixelRatio and shown at the container's size. */
async function expectCanvasFits(page: Page) {
  await expect
    .poll(async () => {
      const f = await canvasFit(page);
      return `backing ${f.got.join('×')} of ${f.want.join('×')}, shown ${f.shown.join('×')} of ${f.box.join('×')}`;
    })
    .toMatch(/^backing (\d+×\d+) of \1, shown (\d+×\d+) of \2$/);
}

/** Share of map pixels (not the card's own background) in each quarter of the map's screenshot. */
async function quarterCoverage(map: Locator): Promise<number[]> {
  const pic = await picture(map);
  const card: [number, number, number] = [17, 26, 36]; // --bg-raised, behind an undrawn part of the box
  const out: number[] = [];
  for (const [qx, qy] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ]) {
    let drawn = 0;
    let all = 0;
    const x0 = (qx * pic.width) / 2;
    const y0 = (qy * pic.height) / 2;
    for (let y = y0 + 4; y < y0 + pic.height / 2 - 4; y += 3)
      for (let x = x0 + 4; x < x0 + pic.width / 2 - 4; x += 3) {
        const [r, g, b] = pic.at(x, y);
        all++;
        if (Math.abs(r - card[0]) + Math.abs(g - card[1]) + Math.abs(b - card[2]) > 24) drawn++;
      }
    out.push(drawn / all);
  }
  return out;
}

/** Whether the case's dot (the blue of a case on time) is drawn near the middle of the map. */
async function dotInMiddle(map: Locator): Promise<boolean> {
  const pic = await picture(map);
  const cx = pic.width / 2;
  const cy = pic.height / 2;
  for (let dy = -8; dy <= 8; dy++)
    for (let dx = -8; dx <= 8; dx++) {
      const [r, g, b] = pic.at(cx + dx, cy + dy);
      if (b > 140 && b > r + 90 && b > g + 50) return true; // #2f80ed, under the pin's edge
    }
  return false;
}

async function expectFullyDrawn(page: Page, map: Locator) {
  await expectCanvasFits(page);
  await expect.poll(async () => Math.min(...(await quarterCoverage(map)))).toBeGreaterThan(0.9);
  await expect.poll(() => dotInMiddle(map)).toBe(true);
}

test('the case map stays fully drawn after a case action and when the screen changes', async ({
  page,
  login,
}) => {
  await login('officer', '/cases');
  const intake = await page.request.post('/api/tickets', {
    data: {
      channel: 'phone',
      text: `小区门口的垃圾桶满了好几天没人清运，味道很大 ${Date.now()}`,
      address: '徐汇区',
      lon: 121.437,
      lat: 31.19,
      category: 'city.sanitation',
    },
  });
  expect(intake.status()).toBe(201);
  const { caseCode } = await intake.json();
  await page.goto(`/cases/${caseCode}`);
  const map = page.getByTestId('case-map');
  await expect(map).toHaveAttribute('data-loaded', 'true');
  await expectFullyDrawn(page, map);

  // The window moves to a high-density screen: same CSS size, twice the device pixels. (Chromium's
  // emulation sends neither a resize nor a media-query change for this, so the map hears of it only when
  // the page next changes.)
  const cdp = await page.context().newCDPSession(page);
  const viewport = page.viewportSize()!;
  await cdp.send('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 2, mobile: false });
  await expect.poll(() => page.evaluate(() => devicePixelRatio)).toBe(2);

  // A real action through the page: the duty officer urges the unit; the page re-renders with the new event.
  const version = Number(await page.getByTestId('case-page').getAttribute('data-version'));
  await page.locator('[data-testid="case-actions"] [data-action="urge"]').click();
  await page.getByTestId('action-note').fill('请尽快处理，居民反映强烈');
  await page.getByTestId('action-submit').click();
  await expect(page.getByTestId('action-message')).not.toHaveClass(/error/);
  await expect(page.getByTestId('case-page')).toHaveAttribute('data-version', String(version + 1));
  await expect(page.locator('[data-testid="case-timeline"] li[data-action="urge"]')).toBeVisible();
  await expectFullyDrawn(page, map);

  // The window is made narrow: the page folds into one column and the map's box changes shape.
  const before = (await canvasFit(page)).box;
  await cdp.send('Emulation.setDeviceMetricsOverride', {
    width: 700,
    height: viewport.height,
    deviceScaleFactor: 2,
    mobile: false,
  });
  await expect.poll(async () => (await canvasFit(page)).box[0]).not.toBe(before[0]);
  await expectFullyDrawn(page, map);
  await cdp.detach();
});
