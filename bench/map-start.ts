// The map right after a demo start: the built server started on embedded PGlite in a fresh data folder
// (20,000 sensors, the default demo), then, once it prints "running at", Chromium signs in and opens the
// map; timed from navigation until the legend shows counts, the snapshot is applied and the map is drawn,
// plus the boundary request(s) the page made and, from Node, their time and bytes with and without
// compression. Repeated BENCH_RUNS times (fresh data folder each); medians go in docs/benchmarks.md.
// Run: npm run build && npm run bench:map-start
// BENCH_APP_ROOT runs another checkout's server and build (e.g. the code before a change), BENCH_LABEL
// names its column, BENCH_RAW keeps the runs in a file, BENCH_COMPARE shows such a file beside this run.
import { chromium, type Browser } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import config from '../playwright.config';
import { bannerUrl, machine, mdGrid, root, writeSection } from './support';

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
  /**
   * The snapshot's bytes received, when they came over HTTP long-polling (the largest Socket.IO response;
   * Infinity when it came over the WebSocket): until the legend shows, the page's main thread was busy.
   */
  snapshotReceived: number;
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
  return { url: await bannerUrl(child), child };
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
      snapshotReceived: resources
        .filter((e) => e.name.includes('/socket.io/') && e.decodedBodySize > 100_000)
        .reduce((t, e) => Math.min(t, e.responseEnd), Infinity),
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

/** A set of runs as BENCH_RAW stores it. */
interface Recorded {
  label: string;
  machine: string;
  at: string;
  results: Run[];
}

function readRecorded(file: string, fallbackLabel: string): Recorded {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Recorded | Run[];
  return Array.isArray(raw) ? { label: fallbackLabel, machine: 'n/a', at: 'n/a', results: raw } : raw;
}

async function measure(): Promise<Recorded> {
  const startedOn = machine();
  const at = new Date().toISOString().slice(0, 16);
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
  return { label, machine: startedOn, at, results };
}

const METRICS = [
  'first load: legend counts shown (ms after navigation)',
  'first load: snapshot applied (ms)',
  'first load: sensors drawn (ms)',
  'first load: boundaries received (ms)',
  'first load: HTML / DOMContentLoaded / live feed connecting (ms)',
  'first load: live feed connecting → legend counts (ms)',
  'first load: snapshot bytes received (HTTP polling) → legend counts (ms)',
  'second load: legend counts shown (ms)',
  'second load: sensors drawn (ms)',
  'second load: live feed connecting → legend counts (ms)',
  'subscribe → snapshot from Node (ms, median of 5 per run)',
  'boundaries in the browser: over the wire / decoded',
  'boundaries from Node: ms, first / again',
  'boundaries from Node: bytes compressed (coding) / uncompressed',
  'load average (1 min) at each run',
];

/** The values of METRICS, medians over the runs. */
function column(results: Run[]): string[] {
  const ms = (f: (r: Run) => number) => `${median(results.map(f)).toFixed(0)}`;
  const kb = (f: (r: Run) => number) => `${(median(results.map(f)) / 1024).toFixed(1)} KB`;
  return [
    ms((r) => r.cold.legend),
    ms((r) => r.cold.snapshot),
    ms((r) => r.cold.ready),
    ms((r) => r.cold.boundariesEnd),
    `${ms((r) => r.cold.html)} / ${ms((r) => r.cold.domReady)} / ${ms((r) => r.cold.socketStart)}`,
    ms((r) => r.cold.legend - r.cold.socketStart),
    Number.isFinite(median(results.map((r) => r.cold.snapshotReceived)))
      ? ms((r) => r.cold.legend - r.cold.snapshotReceived)
      : 'n/a (WebSocket)',
    ms((r) => r.warm.legend),
    ms((r) => r.warm.ready),
    ms((r) => r.warm.legend - r.warm.socketStart),
    ms((r) => median(r.subscribe)),
    `${kb((r) => r.cold.boundariesTransfer)} / ${kb((r) => r.cold.boundariesDecoded)}`,
    `${ms((r) => r.gzip.ms)} / ${ms((r) => r.gzipWarm.ms)}`,
    `${kb((r) => r.gzip.bytes)} (${results[0].gzip.encoding}) / ${kb((r) => r.identity.bytes)}`,
    results.map((r) => r.load.toFixed(1)).join(', '),
  ];
}

// BENCH_FROM: report a recorded set instead of measuring; BENCH_COMPARE: a recorded set shown beside it.
const current = process.env.BENCH_FROM ? readRecorded(process.env.BENCH_FROM, label) : await measure();
if (process.env.BENCH_RAW) writeFileSync(process.env.BENCH_RAW, JSON.stringify(current, null, 2));
const sets = process.env.BENCH_COMPARE
  ? [readRecorded(process.env.BENCH_COMPARE, 'before'), current]
  : [current];
const columns = sets.map((r) => column(r.results));
const table = mdGrid(
  ['metric', ...sets.map((r) => `${r.label} (median of ${r.results.length})`)],
  METRICS.map((m, i) => [m, ...columns.map((c) => c[i])]),
);
console.log(table);
const heading = '## Map after a demo start (bench:map-start)';
writeSection(
  heading,
  `${heading}\n\n` +
    `Embedded PGlite, 20,000 sensors, the default demo (history and simulator on), each run in a fresh data ` +
    `folder; once the server prints "running at", Chromium (SwiftShader) signs in as the duty officer and ` +
    `opens the map in a fresh context ("first load"), then Node fetches the boundaries and subscribes to the ` +
    `sensor feed five times, then another fresh context opens the map ("second load"). Times are ms after ` +
    `navigation start; "legend counts shown" is when the map is usable. The machine is shared: see the load ` +
    `averages.\n\n` +
    sets.map((r) => `- ${r.label}: ${r.machine}. Run ${r.at} UTC.\n`).join('') +
    `\n${table}\n`,
);
