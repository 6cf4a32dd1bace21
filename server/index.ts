// Production entry: one HTTP server that serves the built SvelteKit app and Socket.IO, the live
// simulator, and a graceful shutdown. Start with `npm start` after `npm run build`.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startApp } from './app';
import { BASE_SECURITY_HEADERS } from './http/security-headers';
import { loadConfig } from './config';
import { setAppContext } from './context';
import { startWatchdog } from './ingest/watchdog';
import { attachRealtime, createIo, type Realtime } from './realtime/socket-server';
import { attachAdapter } from './cluster/realtime-adapter';
import { startLeadership } from './cluster/leadership';
import type { App } from './app';
import { startAlarmJobs } from './services/alarm.service';
import { startDeadlineWatch } from './services/deadline-watch';
import { Simulator } from './sim/simulator';
import { DeskWorkers } from './sim/desk-workers';
import { ensureSimActors } from './sim/sim-actors';
import { deskRepository } from './db/repositories/desk.repository';
import { startLoginRetention } from './services/login-guard';
import { startReplayUpkeep } from './services/replay.service';

const INTERNAL_PROTOCOL_HEADER = 'x-citynerve-internal-protocol';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  const config = loadConfig();
  const handlerPath = path.resolve(root, process.env.BUILD_DIR ?? 'build', 'handler.js');
  if (!existsSync(handlerPath)) throw new Error('No production build found: run `npm run build` first.');

  const app = await startApp(config);
  setAppContext(app);
  // adapter-node assumes https unless told otherwise; this server speaks plain HTTP, so without an ORIGIN
  // (set it behind a TLS proxy) each request is marked http by a header only this process writes.
  const markHttp = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
  if (markHttp) process.env.PROTOCOL_HEADER = INTERNAL_PROTOCOL_HEADER;
  // adapter-node refuses bodies over BODY_SIZE_LIMIT (512K by default) before any route runs: let gateway
  // batches up to the ingest limit through, which the ingest route then enforces with its own 413.
  if (!process.env.BODY_SIZE_LIMIT) process.env.BODY_SIZE_LIMIT = String(config.INGEST_MAX_BODY_BYTES);
  const { handler } = (await import(pathToFileURL(handlerPath).href)) as {
    handler: (req: unknown, res: unknown, next?: () => void) => void;
  };

  const server = createServer((req, res) => {
    if (markHttp) req.headers[INTERNAL_PROTOCOL_HEADER] = 'http';
    // Static files are served before the SvelteKit hook runs: they get the base headers here.
    for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) res.setHeader(name, value);
    handler(req, res);
  });
  // Live events cross nodes through a Socket.IO adapter (none on the embedded database: one process).
  const io = createIo(server);
  const adapter = await attachAdapter(io, config, app.log);
  app.node.adapter = adapter.kind;
  const realtime = attachRealtime(server, app, io);
  app.events.on('case', (n) =>
    realtime.publishCase({
      code: n.code,
      action: n.action,
      state: n.state,
      departmentId: n.departmentId,
      deadline: n.deadline,
      at: n.at.toISOString(),
    }),
  );
  app.events.on('schemeChanged', (n) =>
    realtime.publishScores({ schemeId: n.schemeId, active: n.active, at: n.at.toISOString() }),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const mqtt = await app.ingest.start({ maintainReadings: false }).catch(async (err: Error) => {
    await realtime.close();
    await adapter.close();
    server.closeAllConnections();
    server.close();
    await app.shared.close();
    await app.db.close();
    throw err;
  });

  // The jobs that must run once per cluster run on the leader only (cluster/leadership.ts); on the
  // embedded database this process leads. Started after ingest: the simulator's readings go through the
  // pipeline and its loaded sensor registry.
  const jobs = leaderJobs(app, realtime);
  const leadership = startLeadership({
    url: config.DATABASE_URL,
    nodeId: app.node.id,
    retryMs: config.LEADER_RETRY_MS,
    log: app.log,
    onElected: async () => {
      await jobs.start();
      app.node.leading = true;
    },
    onDeposed: async () => {
      app.node.leading = false;
      await jobs.stop();
    },
  });

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const lines = [
    '',
    `CityNerve is running at http://${host}:${port}/`,
    `  database: ${app.db.engine === 'pglite' ? `embedded PGlite + PostGIS in ${path.resolve(config.DATA_DIR)}` : 'PostgreSQL (DATABASE_URL)'}`,
    adapter.kind === 'none'
      ? `  node: ${app.node.id} (single node: no adapter)`
      : `  node: ${app.node.id} in a cluster: live events through the ${adapter.kind} adapter, simulator and jobs on the leader node`,
    `  simulator: ${config.SIM_ENABLED ? (config.SIM_DESK_WORKERS ? 'on, with simulated desk workers' : 'on') : 'off'}`,
    `  MQTT ingest: ${mqtt.embedded ? `embedded broker at ${mqtt.url}` : mqtt.url.replace(/\/\/[^@/]*@/, '//***@')} (topic citynerve/<district>/<family>/<sensor>/reading, QoS 1)`,
    `  HTTP ingest: POST http://${host}:${port}/api/ingest/readings (Authorization: Bearer <gateway key>)`,
    `  Open311 GeoReport v2: http://${host}:${port}/open311/v2/services.json (api_key for POST: OPEN311_DEMO_KEY)`,
    `  public transparency view (no login): http://${host}:${port}/public`,
  ];
  if (app.demoAccounts.length) {
    lines.push(`  demo logins (password "${config.DEMO_PASSWORD}"):`);
    for (const a of app.demoAccounts)
      lines.push(`    ${a.username.padEnd(8)} ${a.role.padEnd(8)} ${a.displayName}`);
  }
  console.log(lines.join('\n') + '\n');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    // Draining: health answers 503 so the balancer stops sending new requests here, while requests and
    // batches in flight finish. Then the leader's jobs stop (another node takes the lock at once), MQTT
    // leaves the shared group and stores what it took, and browsers are told to reconnect elsewhere.
    // A single node has no balancer to tell: it closes at once.
    const graceMs = adapter.kind === 'none' ? 0 : config.DRAIN_GRACE_MS;
    app.node.status = 'draining';
    app.log.info('draining', { signal, node: app.node.id, graceMs });
    const force = setTimeout(() => process.exit(1), 10_000 + graceMs);
    force.unref();
    await new Promise((r) => setTimeout(r, graceMs));
    await leadership.stop();
    // Ingest stops before the database closes: queued readings are stored and acknowledged first.
    await app.ingest.stop();
    realtime.drain(RECONNECT_HINT_MS);
    await realtime.close();
    await adapter.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // After the last request: the shared store may live in the database it closes before.
    await app.shared.close();
    await app.db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** How long browsers of a draining node wait before reconnecting (Socket.IO's own backoff adds to it). */
const RECONNECT_HINT_MS = 500;

/**
 * The once-per-cluster jobs: the simulator and its desk workers, alarm escalation, the heartbeat
 * watchdog, deadline checks and reading-history upkeep. start() and stop() may repeat as leadership
 * comes and goes.
 */
function leaderJobs(app: App, realtime: Realtime) {
  const { config } = app;
  const running: { stop(): Promise<void> }[] = [];
  return {
    async start() {
      if (running.length) return;
      running.push(startAlarmJobs(app.alarms, { intervalMs: config.ALARM_SWEEP_MS, log: app.log }));
      running.push(startWatchdog(app.repos.ingest, { intervalMs: config.HEARTBEAT_CHECK_MS, log: app.log }));
      running.push(
        startDeadlineWatch(app.repos.cases, {
          intervalMs: config.DEADLINE_CHECK_MS,
          log: app.log,
          notify: (n) => app.events.emit('case', n),
        }),
      );
      running.push(app.ingest.maintainReadings());
      running.push(startLoginRetention(app.loginGuard, app.log));
      running.push(
        startReplayUpkeep(app.replay, { checkpointMinutes: config.REPLAY_CHECKPOINT_MINUTES, log: app.log }),
      );
      if (!config.SIM_ENABLED) return;
      const simulator = new Simulator(app.db, {
        tickMs: config.SIM_TICK_MS,
        callsPerHour: config.SIM_CALLS_PER_HOUR,
        faultsPerSensorHour: config.SIM_FAULTS_PER_SENSOR_HOUR,
        seed: config.DEMO_SEED,
        // Simulated devices report through the same pipeline as real ones: rules, alarms, history.
        pipeline: app.ingest.pipeline,
        // ...but only for sensors no real device reports to this node.
        realDevices: app.ingest.pipeline.trackDevices(),
        // Simulated calls take the intake path of real ones: classification, placement, duplicates, case.
        intake: async (call) => {
          const r = await app.intake.submit(
            { ...call, category: null },
            { userId: null, role: 'system', departmentId: null },
            call.receivedAt,
            'hotline',
          );
          return { ticketId: r.ticketId, streetName: r.streetName };
        },
        onTicket: (t) =>
          realtime.publishTicket({
            id: t.id,
            receivedAt: t.receivedAt.toISOString(),
            streetName: t.streetName,
            summary: t.summary,
          }),
        log: (msg: string) => app.log.debug(msg),
      });
      simulator.start();
      running.push(simulator);
      // The simulated departments work the live cases and alarms through the real services.
      if (config.SIM_DESK_WORKERS) {
        const desk = new DeskWorkers({
          desk: deskRepository(app.db),
          cases: app.cases,
          alarms: app.alarms,
          actors: await ensureSimActors(app.db),
          calendar: app.calendar,
          seed: config.DEMO_SEED,
          tickMs: config.SIM_DESK_TICK_MS,
          log: (msg, data) => app.log.debug(msg, data),
        });
        desk.start();
        running.push(desk);
      }
    },
    async stop() {
      // The simulator and desk first (they feed the others), then the rest.
      for (const job of running.splice(0).reverse()) await job.stop();
    },
  };
}

main().catch((err: Error) => {
  console.error(`CityNerve failed to start: ${err.message}`);
  process.exit(1);
});
