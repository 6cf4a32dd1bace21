// What a map page costs in the browser, measured the same way for the console and the wall, for
// bench:map at city scale and for the CI smoke (tests/e2e/map-bench.spec.ts) at demo scale:
// - first paint: navigation until the page's test hook reports the snapshot drawn, split by the page's
//   user-timing marks (snapshot received, table decoded, first layers, first draw);
// - one delta of N changed sensors: commit → the page's table has it and the map drew it, and the main
//   thread's script and task time from the commit until then (CDP Performance metrics), less the idle
//   rate measured just before;
// - frame times while changes stream at a steady rate, from requestAnimationFrame in the page
//   (the Performance API's clock), and the main thread's busy share over that time.
import type { BrowserContext, CDPSession, Page } from '@playwright/test';

export interface MapPageOptions {
  /** Page to open, e.g. `${url}/` or `${url}/wall`. */
  url: string;
  /** Writes states in the database behind the app's back (sensor_state), resolves when committed. */
  setStates(ids: number[], state: number): Promise<void>;
  /** Sensors (normal ones) the single delta turns to warning. */
  deltaIds: number[];
  /** Sensors the stream turns to alarm and back, `perSecond` changes a second (see below). */
  streamIds: number[];
  perSecond: number;
  streamSeconds: number;
  /** Idle window before the delta, and the window the delta is measured over (ms). */
  windowMs: number;
  /** How long the first paint may take (ms). */
  timeoutMs?: number;
  /** Runs after the first paint, before anything is measured (e.g. pausing the wall's rotation). */
  settle?: (page: Page) => Promise<void>;
}

export interface MapPageRun {
  firstPaintMs: number;
  /** User-timing marks of the page, ms since navigation start. */
  marks: Record<string, number>;
  /** Commit → the page's table has it and the map has drawn it. */
  deltaSeenMs: number;
  deltaScriptMs: number;
  deltaTaskMs: number;
  frames: { count: number; p50: number; p95: number; max: number };
  /** Main-thread task time per second of streaming (ms/s). */
  streamTaskMsPerS: number;
  /**
   * Busy time per second of streaming (ms/s) of the page's main thread, its workers and the GPU
   * process's main thread (where software WebGL and the compositor's output run), from a trace.
   */
  busyMsPerS: { main: number; worker: number; gpu: number };
  /**
   * The page's own timings of the delta (ms): decode and apply to its table, the layer worker's answer,
   * and handing that answer to deck.gl; NaN for a page without them (an older build).
   */
  deltaMs: number;
  workerMs: number;
  handOverMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function mainThreadMetrics(cdp: CDPSession): Promise<{ script: number; task: number }> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (n: string) => metrics.find((m) => m.name === n)?.value ?? 0;
  return { script: get('ScriptDuration') * 1000, task: get('TaskDuration') * 1000 };
}

/** A trace of top-level tasks; `stop()` gives the busy milliseconds per thread name. */
async function startTrace(cdp: CDPSession): Promise<{ stop(): Promise<Record<string, number>> }> {
  type TraceEvent = {
    ph: string;
    name: string;
    pid: number;
    tid: number;
    dur?: number;
    args?: { name?: string };
  };
  const events: TraceEvent[] = [];
  const collect = (d: { value: object[] }) => events.push(...(d.value as TraceEvent[]));
  cdp.on('Tracing.dataCollected', collect);
  await cdp.send('Tracing.start', { categories: 'toplevel', transferMode: 'ReportEvents' });
  return {
    async stop() {
      const complete = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
      await cdp.send('Tracing.end');
      await complete;
      cdp.off('Tracing.dataCollected', collect);
      const names = new Map<string, string>();
      for (const e of events)
        if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
      const busy: Record<string, number> = {};
      for (const e of events) {
        if (e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask' || !e.dur) continue;
        const thread = names.get(`${e.pid}:${e.tid}`) ?? '?';
        busy[thread] = (busy[thread] ?? 0) + e.dur / 1000;
      }
      return busy;
    },
  };
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;

async function waitDrawn(page: Page, timeout: number): Promise<void> {
  await page.waitForFunction(() => window.__citynerve?.ready() === true, null, { timeout, polling: 20 });
}

export async function measureMapPage(context: BrowserContext, o: MapPageOptions): Promise<MapPageRun> {
  const page = await context.newPage();
  try {
    const t0 = Date.now();
    await page.goto(o.url);
    await waitDrawn(page, o.timeoutMs ?? 180_000);
    const firstPaintMs = Date.now() - t0;
    const marks = await page.evaluate(() =>
      Object.fromEntries(
        performance
          .getEntriesByType('mark')
          .filter((m) => m.name.startsWith('citynerve:'))
          .reverse() // the first of each name wins below
          .map((m) => [m.name.slice('citynerve:'.length), Math.round(m.startTime)]),
      ),
    );

    await o.settle?.(page);

    // --- one delta. The page waits for it itself (one check per animation frame), so no polling from
    // here adds script time to the window; the idle rate is measured just before over `windowMs`.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await sleep(1000); // let the first paint's stragglers (labels, tiles) finish
    const m0 = await mainThreadMetrics(cdp);
    const tIdle = Date.now();
    await sleep(o.windowMs);
    const m1 = await mainThreadMetrics(cdp);
    const idleMs = Date.now() - tIdle;
    const probe = o.deltaIds[o.deltaIds.length - 1];
    const drawn = page.evaluate(
      `new Promise((resolve) => {
        const t0 = performance.now();
        const check = () => {
          const h = window.__citynerve;
          if (h && h.stateOf(${probe}) === 1 && h.ready()) resolve(performance.now() - t0);
          else requestAnimationFrame(check);
        };
        check();
      })`,
    ) as Promise<number>;
    const tUpdate = Date.now();
    await o.setStates(o.deltaIds, 1);
    await drawn;
    const deltaSeenMs = Date.now() - tUpdate;
    const m2 = await mainThreadMetrics(cdp);
    const windowMs = Date.now() - tIdle - idleMs;
    const idleShare = windowMs / idleMs;
    const deltaScriptMs = m2.script - m1.script - (m1.script - m0.script) * idleShare;
    const deltaTaskMs = m2.task - m1.task - (m1.task - m0.task) * idleShare;
    const timings = await page.evaluate(
      () => window.__citynerve?.timings?.() ?? { deltaMs: NaN, workerMs: NaN, handOverMs: NaN },
    );

    // --- frames while changes stream
    // A string, not a function: the bench runs under tsx, whose helpers do not exist in the page.
    await page.evaluate(`(() => {
      window.__frames = [];
      window.__framesOn = true;
      let last = 0;
      const tick = (t) => {
        window.__frames.push(t - last);
        last = t;
        if (window.__framesOn) requestAnimationFrame(tick);
      };
      requestAnimationFrame((t) => {
        last = t;
        requestAnimationFrame(tick);
      });
    })()`);
    const trace = await startTrace(cdp);
    const s0 = await mainThreadMetrics(cdp);
    const tStream = Date.now();
    // Every 100 ms half a batch of sensors turns to alarm and the half turned the step before returns to
    // normal: `perSecond` changes a second with a bounded number of alarms on the map, as in a city
    // (a stream that only ever adds alarms would measure a map painted red instead).
    const half = Math.max(1, Math.round(o.perSecond / 20));
    let k = 0;
    let previous: number[] = [];
    while (Date.now() - tStream < o.streamSeconds * 1000) {
      const on: number[] = [];
      for (let i = 0; i < half; i++) on.push(o.streamIds[(k + i) % o.streamIds.length]);
      k = (k + half) % o.streamIds.length;
      const started = Date.now();
      await o.setStates(on, 2);
      if (previous.length) await o.setStates(previous, 0);
      previous = on;
      await sleep(Math.max(0, 100 - (Date.now() - started)));
    }
    const streamed = (Date.now() - tStream) / 1000;
    const s1 = await mainThreadMetrics(cdp);
    const busy = await trace.stop();
    const intervals = await page.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __framesOn: boolean };
      w.__framesOn = false;
      return w.__frames;
    });
    const sorted = [...intervals].sort((a, b) => a - b);
    await cdp.detach();
    // Put everything back, so the next run starts from the same table.
    await o.setStates([...o.deltaIds, ...o.streamIds], 0);
    return {
      firstPaintMs,
      marks,
      deltaSeenMs,
      deltaScriptMs,
      deltaTaskMs,
      frames: {
        count: sorted.length,
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        max: sorted[sorted.length - 1] ?? NaN,
      },
      streamTaskMsPerS: (s1.task - s0.task) / streamed,
      busyMsPerS: {
        main: (busy.CrRendererMain ?? 0) / streamed,
        worker: (busy['DedicatedWorker thread'] ?? 0) / streamed,
        gpu: (busy.CrGpuMain ?? 0) / streamed,
      },
      ...timings,
    };
  } finally {
    await page.close();
  }
}
