// Stored XSS: a citizen's complaint, name and address, and an Open311 description and attribute, written as
// HTML and script, are shown as text on every page that shows cases — never run, never turned into
// elements. The payloads go in through the real intake API and the real Open311 endpoint; each page is
// visited in a real browser, which fails the test on any dialog, any element a payload would create, any
// global flag a payload would set, and (fixture) any request outside the app's origin.
import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { signedInPage } from './support/sign-in';

/** Each payload tries a different way in; every one would set window.__xss or create #xss-injected. */
const P = {
  closeAttr: `"><b id="xss-injected">粗体</b>`,
  script: `<script>window.__xss='script'</script>`,
  img: `<img src=x id="xss-img" onerror="window.__xss='img';alert('img')">`,
  svg: `<svg id="xss-svg" onload="window.__xss='svg'">`,
  iframe: `<iframe id="xss-iframe" srcdoc="<script>parent.__xss='iframe'</script>"></iframe>`,
  template: `{@html '<b id=xss-tpl>'}`,
};
/** The case title is the complaint's first 30 characters: this is what lists and drill-downs show. */
const TITLE_PAYLOAD = '<b id=xss-injected>塌陷';
const complaint = `${TITLE_PAYLOAD}大宁路地面很危险 ${P.closeAttr} ${P.script} ${P.img} ${P.svg} ${P.iframe} ${P.template}`;
const callerName = `<img src=x onerror="window.__xss='name'">`; // at most 50 characters
const address = `大宁路100号 ${P.svg} ${P.closeAttr}`;
const open311Text = `共和新路井盖缺失 ${P.img} ${P.closeAttr} ${P.script}`;
const INJECTED = '#xss-injected, #xss-img, #xss-svg, #xss-iframe, #xss-tpl';

/** Fails the test on any dialog a payload opened (recorded, then checked by `assertClean`). */
function watchDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return dialogs;
}

async function assertClean(page: Page, dialogs: string[], where: string) {
  expect(dialogs, `${where}: a payload opened a dialog`).toEqual([]);
  await expect(page.locator(INJECTED), `${where}: a payload became an element`).toHaveCount(0);
  const flag = await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss ?? null);
  expect(flag, `${where}: a payload ran script`).toBeNull();
}

test('complaint, caller, address and Open311 text with HTML are shown as text on every page', async ({
  page,
  login,
  server,
}) => {
  test.setTimeout(240_000);
  const dialogs = watchDialogs(page);
  await login('officer', '/cases');

  // Intake: a dozen reports close together (so the hot-spot page has a cell to drill into).
  const codes: string[] = [];
  for (let i = 0; i < 12; i++) {
    const res = await page.request.post('/api/tickets', {
      data: {
        channel: 'phone',
        callerName,
        callerPhone: '13800001111',
        text: `${complaint} 第${i + 1}次`,
        address,
        lon: 121.4486 + (i % 4) * 0.0001,
        lat: 31.28997,
      },
    });
    expect(res.status(), await res.text()).toBe(201);
    codes.push(((await res.json()) as { caseCode: string }).caseCode);
  }
  // Open311: a citizen's request with an attribute answer (no service defines attributes: it is dropped).
  const o311 = await page.request.post('/open311/v2/requests.json', {
    form: {
      api_key: 'citynerve-open311-demo-key',
      service_code: 'utilities.manholes',
      lat: '31.26789',
      long: '121.45253',
      description: open311Text,
      first_name: P.closeAttr.slice(0, 20),
      'attribute[note]': `${P.svg}${P.script}`,
    },
  });
  expect(o311.status(), await o311.text()).toBe(200);
  const [{ service_request_id: o311Code }] = (await o311.json()) as { service_request_id: string }[];

  // The case list shows the complaint as text.
  await page.goto('/cases');
  await expect(page.locator(`tr[data-code="${codes[0]}"]`)).toContainText(TITLE_PAYLOAD);
  await assertClean(page, dialogs, '/cases');

  // The case page: complaint, caller and address as literal text, in both languages.
  await page.goto(`/cases/${codes[0]}`);
  const tickets = page.getByTestId('case-tickets');
  await expect(tickets).toContainText(P.script);
  await expect(tickets).toContainText(P.closeAttr);
  await expect(tickets).toContainText(callerName);
  await expect(tickets).toContainText(P.svg);
  await assertClean(page, dialogs, `/cases/${codes[0]} zh-CN`);
  await page.getByTestId('language-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('case-tickets')).toContainText(P.img);
  await assertClean(page, dialogs, `/cases/${codes[0]} en`);
  await page.getByTestId('language-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');

  // The Open311 case, and its public Open311 listing as a browser would render it.
  await page.goto(`/cases/${o311Code}`);
  await expect(page.getByTestId('case-tickets')).toContainText(P.img);
  await expect(page.getByTestId('case-tickets')).not.toContainText('attribute');
  await assertClean(page, dialogs, `/cases/${o311Code}`);

  // Every other page that shows cases or their text.
  for (const path of ['/problems', '/hotspots', '/performance', '/performance/meeting', '/public']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    await assertClean(page, dialogs, path);
  }
  // Hot-spot drill-down: the reports of the top cells.
  await page.goto('/hotspots');
  const rows = page.getByTestId('hotspot-list').locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const n = Math.min(await rows.count(), 5);
  let seen = false;
  for (let i = 0; i < n; i++) {
    await rows.nth(i).click();
    const reports = page.getByTestId('hotspot-reports');
    await expect(reports).toBeVisible();
    // The reports load after the click: give each cell a moment to show ours.
    seen ||= await expect(reports)
      .toContainText(TITLE_PAYLOAD, { timeout: 4000 })
      .then(() => true)
      .catch(() => false);
    await assertClean(page, dialogs, `/hotspots row ${i + 1}`);
  }
  expect(seen, 'the payload reports form one of the top hot-spot cells and show as text').toBe(true);

  // The wall, as a leader sees it.
  const wall = await signedInPage(page.context().browser()!, server.url, 'leader', server.password, '/wall');
  const wallDialogs = watchDialogs(wall);
  await wall.waitForLoadState('networkidle');
  await assertClean(wall, wallDialogs, '/wall');
  await wall.context().close();

  // The public view is served from aggregates: no complaint text at all, script or not.
  await page.goto('/public');
  await expect(page.locator('body')).not.toContainText('xss');
  await assertClean(page, dialogs, '/public');
});
