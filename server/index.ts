// Production entry: one HTTP server that serves the built SvelteKit app and Socket.IO, the live
// simulator, and a graceful shutdown. Start with `npm start` after `npm run build`.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startApp } from './app';
import { loadConfig } from './config';
import { setAppContext } from './context';
import { startWatchdog } from './ingest/watchdog';
import { attachRealtime } from './realtime/socket-server';
import { startAlarmJobs } from './services/alarm.service';
import { startDeadlineWatch } from './services/deadline-watch';
import { Simulator } from './sim/simulator';
import { DeskWorkers } from './sim/desk-workers';
import { ensureSimActors } from './sim/sim-actors';
import { deskRepository } from './db/repositories/desk.repository';

const INTERNAL_PROTOCOL_HEADER = 'x-citynerve-internal-protocol';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  const config = loadConfig();
  const handlerPath = path.join(root, process.env.BUILD_DIR ?? 'build', 'handler.js');
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
    handler(req, res);
  });
  const realtime = attachRealtime(server, app);
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
  const simulator = config.SIM_ENABLED
    ? new Simulator(app.db, {
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
      })
    : null;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  // Every node may sweep: escalations and case openings are guarded in the database.
  const alarmJobs = startAlarmJobs(app.alarms, { intervalMs: config.ALARM_SWEEP_MS, log: app.log });
  // Every node may check heartbeats too: marking silent sensors offline is one idempotent statement.
  const watchdog = startWatchdog(app.repos.ingest, { intervalMs: config.HEARTBEAT_CHECK_MS, log: app.log });
  const deadlines = startDeadlineWatch(app.repos.cases, {
    intervalMs: config.DEADLINE_CHECK_MS,
    log: app.log,
    notify: (n) => app.events.emit('case', n),
  });
  const mqtt = await app.ingest.start().catch(async (err: Error) => {
    await alarmJobs.stop();
    await deadlines.stop();
    await watchdog.stop();
    await realtime.close();
    server.closeAllConnections();
    server.close();
    await app.shared.close();
    await app.db.close();
    throw err;
  });

  // After ingest started: the simulator's readings go through the pipeline and its loaded sensor registry.
  simulator?.start();
  // The simulated departments work the live cases and alarms through the real services (part of the simulator).
  const desk =
    simulator && config.SIM_DESK_WORKERS
      ? new DeskWorkers({
          desk: deskRepository(app.db),
          cases: app.cases,
          alarms: app.alarms,
          actors: await ensureSimActors(app.db),
          calendar: app.calendar,
          seed: config.DEMO_SEED,
          tickMs: config.SIM_DESK_TICK_MS,
          log: (msg, data) => app.log.debug(msg, data),
        })
      : null;
  desk?.start();

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const lines = [
    '',
    `CityNerve is running at http://${host}:${port}/`,
    `  database: ${app.db.engine === 'pglite' ? `embedded PGlite + PostGIS in ${path.resolve(config.DATA_DIR)}` : 'PostgreSQL (DATABASE_URL)'}`,
    `  simulator: ${simulator ? (desk ? 'on, with simulated desk workers' : 'on') : 'off'}`,
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
    app.log.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await desk?.stop();
    await simulator?.stop();
    await alarmJobs.stop();
    await watchdog.stop();
    await deadlines.stop();
    // Ingest stops before the database closes: queued readings are stored and acknowledged first.
    await app.ingest.stop();
    await realtime.close();
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

main().catch((err: Error) => {
  console.error(`CityNerve failed to start: ${err.message}`);
  process.exit(1);
});
