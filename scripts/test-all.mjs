// `npm test`: every tier in order — lint, generated files, types, unit, integration, build, browser e2e.
// Stops at the first failing tier and ends with one line counting the tests that ran. The static checks
// (format, lint, types) read files only, so they run side by side, each printed whole when it ends.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const counts = { passed: 0, failed: 0, skipped: 0 };
// Results of an earlier run must not be counted as this run's.
rmSync('reports', { recursive: true, force: true });
mkdirSync('reports', { recursive: true });

function run(title, cmd, args, env = {}) {
  const t0 = Date.now();
  console.log(`\n=== ${title}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✗ ${title} failed after ${secs} s`);
    finish(1);
  }
  console.log(`✓ ${title} (${secs} s)`);
}

/** Runs checks at the same time; prints each one's output when it ends; stops if any failed. */
async function runTogether(checks) {
  const t0 = Date.now();
  console.log(`\n=== ${checks.map((c) => c.title).join(' + ')}, side by side`);
  const results = await Promise.all(
    checks.map(
      ({ title, cmd, args }) =>
        new Promise((resolve) => {
          const started = Date.now();
          let out = '';
          const child = spawn(cmd, args, { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (out += d));
          child.on('error', (e) => (out += String(e)));
          child.on('close', (code) => {
            const secs = ((Date.now() - started) / 1000).toFixed(1);
            console.log(`\n--- ${title}: ${cmd} ${args.join(' ')}\n${out.trimEnd()}`);
            console.log(code === 0 ? `✓ ${title} (${secs} s)` : `✗ ${title} failed after ${secs} s`);
            resolve(code === 0);
          });
        }),
    ),
  );
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (results.includes(false)) {
    console.error(`\n✗ static checks failed after ${secs} s`);
    finish(1);
  }
  console.log(`✓ static checks (${secs} s)`);
}

function countVitest(file) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  counts.passed += r.numPassedTests;
  counts.failed += r.numFailedTests;
  counts.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}

function countPlaywright(file) {
  if (!existsSync(file)) return;
  const s = JSON.parse(readFileSync(file, 'utf8')).stats;
  counts.passed += s.expected + s.flaky;
  counts.failed += s.unexpected;
  counts.skipped += s.skipped;
}

function finish(code) {
  countVitest('reports/unit.json');
  countVitest('reports/integration.json');
  countPlaywright('reports/e2e.json');
  console.log(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exit(code);
}

const npx = 'npx';
run('svelte-kit sync', npx, ['svelte-kit', 'sync']);
run('migrations up to date', process.execPath, ['scripts/check-migrations.mjs']);
await runTogether([
  { title: 'format', cmd: npx, args: ['prettier', '--check', '.'] },
  { title: 'lint', cmd: npx, args: ['eslint', '.', '--max-warnings', '0'] },
  { title: 'types', cmd: npx, args: ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings'] },
]);
run('unit', npx, [
  'vitest',
  'run',
  '--project',
  'unit',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=reports/unit.json',
]);
run('integration', npx, [
  'vitest',
  'run',
  '--project',
  'integration',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=reports/integration.json',
]);
run('build', npx, ['vite', 'build']);
if (!existsSync(chromium)) {
  console.error(
    `\nChromium not found at ${chromium}: install it (Debian: apt-get install chromium fonts-noto-cjk) or set CHROMIUM_PATH.`,
  );
  finish(1);
}
run('e2e', npx, ['playwright', 'test']);
finish(0);
