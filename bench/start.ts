// First start on embedded PGlite, as `npm start` does it: the built server started twice in fresh data
// folders, without a past (DEMO_HISTORY_DAYS=0) and with the default one, timed until it prints
// "running at". Prints a table and writes the "First start" section of docs/benchmarks.md.
// Run: npm run build && npm run bench:start
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { machine, mdTable, root, writeSection } from './support';

interface Run {
  label: string;
  seconds: number;
  /** What the start log said of the history (null without one). */
  history: {
    seconds: number;
    tickets: number;
    cases: number;
    events: number;
    alarms: number;
    openCases: number;
  } | null;
}

async function firstStart(label: string, env: Record<string, string>): Promise<Run> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'citynerve-bench-start-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      PORT: '0',
      MQTT_EMBEDDED_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let history: Run['history'] = null;
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const line of err.split('\n')) {
      if (!line.includes('demo history generated')) continue;
      try {
        const j = JSON.parse(line) as Record<string, unknown> & { ms: { total: number } };
        history = {
          seconds: j.ms.total / 1000,
          tickets: Number(j.tickets),
          cases: Number(j.cases),
          events: Number(j.events),
          alarms: Number(j.alarms),
          openCases: Number(j.openCases),
        };
      } catch {
        /* a line still being written */
      }
    }
    err = err.slice(-20_000);
  });
  const seconds = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/running at http/.test(out)) resolve((performance.now() - t0) / 1000);
    });
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${code}: ${out}\n${err.slice(-3000)}`)),
    );
  });
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
  return { label, seconds, history };
}

const without = await firstStart('DEMO_HISTORY_DAYS=0', { DEMO_HISTORY_DAYS: '0' });
const withPast = await firstStart('default (395 days)', {});
const h = withPast.history as Run['history'];
const rows: [string, string][] = [
  ['first start, no history (s until "running at")', without.seconds.toFixed(1)],
  ['first start, default history (s until "running at")', withPast.seconds.toFixed(1)],
  ['ratio history / no history', (withPast.seconds / without.seconds).toFixed(2)],
  ['history generation itself (s, from the start log)', h ? h.seconds.toFixed(1) : 'n/a'],
  [
    'history: tickets / cases / case events / alarms',
    h ? `${h.tickets} / ${h.cases} / ${h.events} / ${h.alarms}` : 'n/a',
  ],
  ['history: cases still open at the end', h ? String(h.openCases) : 'n/a'],
];
const table = mdTable(rows);
console.log(table);
writeSection(
  '## First start with the demo history (bench:start)',
  `## First start with the demo history (bench:start)\n\n` +
    `Embedded PGlite, 20,000 sensors, DEMO_HISTORY_CALLS_PER_DAY default (180; 240 took 134 s in total), the built server started ` +
    `as \`npm start\` does in a fresh data folder, timed until it prints "running at" (the budget is 2 minutes).\n` +
    `Machine: ${machine()}. Run ${new Date().toISOString().slice(0, 10)}.\n\n${table}\n`,
);
