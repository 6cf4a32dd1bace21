// The map right after a demo start: the built server started on embedded PGlite in a fresh data folder
// (20,000 sensors, the default demo), then, once it prints "running at", Chromium signs in and opens the
// map; timed from navigation until the legend shows counts, the snapshot is applied and the map is drawn,
// plus the boundary request(s) the page made and, from Node, their time and bytes with and without
// compression. Repeated BENCH_RUNS times (fresh data folder each); medians go in docs/benchmarks.md.
// Run: npm run build && npm run bench:map-start
// BENCH_APP_ROOT runs another checkout's server and build (e.g. the code before a change) for comparison;
// BENCH_LABEL names its column.
import { chromium, type Browser } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import config from '../playwright.config';
import { machine, mdGrid, root, writeSection } from './support';

const appRoot = process.env.BENCH_APP_ROOT ? path.resolve(process.env.BENCH_APP_ROOT) : root;
const label = process.env.BENCH_LABEL ?? (appRoot === root ? 'this checkout' : path.basename(appRoot));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const PASSWORD = 'citynerve-demo';

/** What the page reached, in ms after navigation start (performance.now() in the page). */
interface PageTimes {
  legend: number;
  snapshot: number;
  ready: number;
  /** The boundary request(s): the last one's end, and their bytes over the wire / decoded. */
  boundariesEnd: number;
  boundariesTransfer: number;
  boundariesDecoded: number;
  /** The page's HTML received, and DOMContentLoaded handled. */
  html: number;
  domReady: number;
  /** The first Socket.IO request started (the page connects the live feed). */
  socketStart: number;
}

interface FetchResult {
  ms: number;
  bytes: number;
  encoding: string;
  status: number;
}

/** One GET with Node's http (no automatic decompression): time to the last byte and bytes received. */
function get(url: string, headers: Record<string, string>): Promise<FetchResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () =>
          resolve({
            ms: performance.now() - t0,
            bytes,
            encoding: String(res.headers['content-encoding'] ?? 'identity'),
            status: res.statusCode ?? 0,
          }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function startServer(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: appRoot,
    env: {
      ...process.env,
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      PORT: '0',
      MQTT_EMBEDDED_PORT: '0',
      LOG_LEVEL: 'warn',
      DEMO_PASSWORD: PASSWORD,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/running at (http:\/\/[^\s]+?)\/?\n/);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { url, child };
}

/** Records when each milestone first holds; runs in the page before its own scripts. */
function milestones() {
  const w = window as unknown as {
    __bench: Record<string, number>;
    __citynerve?: { seq(): number | null; ready(): boolean };
  };
  w.__bench = {};
  const timer = setInterval(() => {
    const m = w.__bench;
    const now = performance.now();
    const h = w.__citynerve;
    if (m.snapshot === undefined && h && h.seq() !== null) m.snapshot = now;
    if (m.ready === undefined && h && h.ready()) m.ready = now;
    if (m.legend === undefined) {
      let sum = 0;
      document
        .querySelectorAll('[data-testid^="count-"]')
        .forEach((e) => (sum += Number(e.getAttribute('data-count') ?? 0)));
      if (sum > 0) m.legend = now;
    }
    if (m.snapshot !== undefined && m.ready !== undefined && m.legend !== undefined) clearInterval(timer);
  }, 5);
}

/** Opens the map in a fresh browser context (no HTTP cache) signed in as the duty officer. */
async function openMap(browser: Browser, url: string): Promise<PageTimes> {
  const context = await browser.newContext({ baseURL: url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const login = await context.request.post('/login', {
    form: { username: 'officer', password: PASSWORD },
    headers: { origin: url, accept: 'text/html' },
    maxRedirects: 0,
  });
  if (!(await context.cookies()).some((c) => c.name === 'cn_session'))
    throw new Error(`login failed: HTTP ${login.status()}`);
  const page = await context.newPage();
  await page.addInitScript(milestones);
  await page.goto('/');
  await page.waitForFunction(
    () => {
      const m = (window as unknown as { __bench: Record<string, number> }).__bench;
      return m.legend !== undefined && m.ready !== undefined && m.snapshot !== undefined;
    },
    null,
    { timeout: 120_000, polling: 50 },
  );
  const times: PageTimes = await page.evaluate(() => {
    const m = (window as unknown as { __bench: Record<string, number> }).__bench;
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const entries = resources.filter((e) => /\/api\/map\/(streets|districts|boundaries)/.test(e.name));
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return {
      html: nav.responseEnd,
      domReady: nav.domContentLoadedEventEnd,
      socketStart: Math.min(
        ...resources.filter((e) => e.name.includes('/socket.io/')).map((e) => e.startTime),
      ),
      legend: m.legend,
      snapshot: m.snapshot,
      ready: m.ready,
      boundariesEnd: Math.max(...entries.map((e) => e.responseEnd)),
      boundariesTransfer: entries.reduce((s, e) => s + e.transferSize, 0),
      boundariesDecoded: entries.reduce((s, e) => s + e.decodedBodySize, 0),
    };
  });
  await context.close();
  return times;
}

/** The boundaries as the map fetches them, from Node: one response, or streets and districts in parallel. */
async function fetchBoundaries(url: string, cookie: string, encoding: string) {
  const headers = { cookie, 'accept-encoding': encoding };
  const one = await get(`${url}/api/map/boundaries`, headers);
  if (one.status === 200) return one;
  const t0 = performance.now();
  const parts = await Promise.all(['streets', 'districts'].map((p) => get(`${url}/api/map/${p}`, headers)));
  return {
    ms: performance.now() - t0,
    bytes: parts.reduce((s, p) => s + p.bytes, 0),
    encoding: parts.map((p) => p.encoding).join('+'),
    status: parts[0].status,
  };
}

/** Connects like the page does and times 'sensors:subscribe' until the whole-city snapshot arrives. */
async function subscribeMs(url: string, cookie: string): Promise<number> {
  const socket = io(url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const t0 = performance.now();
    const snapshot = new Promise<void>((resolve) => socket.once('sensors:snapshot', () => resolve()));
    const ack = (await socket.timeout(60_000).emitWithAck('sensors:subscribe', { sinceSeq: null })) as {
      ok: boolean;
    };
    if (!ack.ok) throw new Error('subscribe refused');
    await snapshot;
    return performance.now() - t0;
  } finally {
    socket.close();
  }
}

async function cookieFor(url: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
    body: new URLSearchParams({ username: 'officer', password: PASSWORD }),
  });
  const c = res.headers.getSetCookie().find((s) => s.startsWith('cn_session='));
  if (!c) throw new Error(`login failed: HTTP ${res.status}`);
  return c.split(';')[0];
}

interface Run {
  load: number;
  cold: PageTimes;
  warm: PageTimes;
  gzip: FetchResult;
  identity: FetchResult;
  gzipWarm: FetchResult;
  /** Subscribe → snapshot from Node, five times one after another. */
  subscribe: number[];
}

async function oneRun(browser: Browser): Promise<Run> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'citynerve-bench-map-'));
  const { url, child } = await startServer(dataDir);
  try {
    const load = os.loadavg()[0];
    // The first page load right after the start, as a user opening the demo would.
    const cold = await openMap(browser, url);
    const cookie = await cookieFor(url);
    const gzip = await fetchBoundaries(url, cookie, 'gzip, deflate, br');
    const identity = await fetchBoundaries(url, cookie, 'identity');
    const gzipWarm = await fetchBoundaries(url, cookie, 'gzip, deflate, br');
    const subscribe: number[] = [];
    for (let i = 0; i < 5; i++) subscribe.push(await subscribeMs(url, cookie));
    const warm = await openMap(browser, url);
    return { load, cold, warm, gzip, identity, gzipWarm, subscribe };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const startedOn = machine();
const browser = await chromium.launch(config.use?.launchOptions);
const results: Run[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const r = await oneRun(browser);
    results.push(r);
    console.log(
      `run ${i + 1}/${runs}: legend ${r.cold.legend.toFixed(0)} ms, snapshot ${r.cold.snapshot.toFixed(0)} ms, ` +
        `drawn ${r.cold.ready.toFixed(0)} ms, boundaries ${r.cold.boundariesEnd.toFixed(0)} ms ` +
        `(load ${r.load.toFixed(1)})`,
    );
  }
} finally {
  await browser.close();
}

if (process.env.BENCH_RAW) writeFileSync(process.env.BENCH_RAW, JSON.stringify(results, null, 2));
const ms = (f: (r: Run) => number) => `${median(results.map(f)).toFixed(0)}`;
const kb = (f: (r: Run) => number) => `${(median(results.map(f)) / 1024).toFixed(0)} KB`;
const rows: string[][] = [
  ['first load: legend counts shown (ms after navigation)', ms((r) => r.cold.legend)],
  ['first load: snapshot applied (ms)', ms((r) => r.cold.snapshot)],
  ['first load: sensors drawn (ms)', ms((r) => r.cold.ready)],
  ['first load: boundaries received (ms)', ms((r) => r.cold.boundariesEnd)],
  [
    'first load: HTML / DOMContentLoaded / live feed connecting (ms)',
    `${ms((r) => r.cold.html)} / ${ms((r) => r.cold.domReady)} / ${ms((r) => r.cold.socketStart)}`,
  ],
  ['second load: legend counts shown (ms)', ms((r) => r.warm.legend)],
  ['second load: sensors drawn (ms)', ms((r) => r.warm.ready)],
  ['first load: live feed connecting → legend (ms)', ms((r) => r.cold.legend - r.cold.socketStart)],
  ['second load: live feed connecting → legend (ms)', ms((r) => r.warm.legend - r.warm.socketStart)],
  ['subscribe → snapshot from Node (ms, median of 5 per run)', ms((r) => median(r.subscribe))],
  [
    'boundaries in the browser: over the wire / decoded',
    `${kb((r) => r.cold.boundariesTransfer)} / ${kb((r) => r.cold.boundariesDecoded)}`,
  ],
  [
    'boundaries from Node, compressed: ms (first / again)',
    `${ms((r) => r.gzip.ms)} / ${ms((r) => r.gzipWarm.ms)}`,
  ],
  [
    'boundaries from Node: bytes compressed / uncompressed',
    `${kb((r) => r.gzip.bytes)} (${results[0].gzip.encoding}) / ${kb((r) => r.identity.bytes)}`,
  ],
  ['load average (1 min) at the runs', results.map((r) => r.load.toFixed(1)).join(', ')],
];
const table = mdGrid(['metric', `${label}, median of ${runs}`], rows);
console.log(table);
const heading = `## Map after a demo start (bench:map-start): ${label}`;
writeSection(
  heading,
  `${heading}\n\n` +
    `Embedded PGlite, 20,000 sensors, the default demo (history and simulator on), each run in a fresh data ` +
    `folder; once the server prints "running at", Chromium (SwiftShader) signs in as the duty officer and ` +
    `opens the map in a fresh context; "second load" is another fresh context after the first. Times are ms ` +
    `after navigation start, medians of ${runs} runs.\n` +
    `Machine: ${startedOn}. Run ${new Date().toISOString().slice(0, 16)} UTC.\n\n${table}\n`,
);
