// The application context: configuration, database, repositories and services, built once per process.
// SvelteKit routes reach it through event.locals.app; the Socket.IO server and simulator share it.
import type { Config } from './config';
import { openDatabase, type Database } from './db/client';
import { alarmsRepository } from './db/repositories/alarms.repository';
import { deadLettersRepository } from './db/repositories/dead-letters.repository';
import { ingestRepository } from './db/repositories/ingest.repository';
import { mapRepository } from './db/repositories/map.repository';
import { sensorFeedRepository } from './db/repositories/sensor-feed.repository';
import { usersRepository } from './db/repositories/users.repository';
import { createIngest, type IngestRuntime } from './ingest/runtime';
import { createLogger, type Logger } from './log';
import { alarmService, type AlarmService } from './services/alarm.service';
import { authService } from './services/auth.service';
import { gatewayService, type GatewayService } from './services/gateway.service';
import { generateDemoCity } from './sim/generate-city';

export interface App {
  config: Config;
  db: Database;
  log: Logger;
  repos: {
    users: ReturnType<typeof usersRepository>;
    map: ReturnType<typeof mapRepository>;
    sensorFeed: ReturnType<typeof sensorFeedRepository>;
    /** Device ingest's writes, the sensor registry as ingest sees it, and gateway keys. */
    ingest: ReturnType<typeof ingestRepository>;
    /** Refused device messages. */
    deadLetters: ReturnType<typeof deadLettersRepository>;
    /** Alarms after ingest opened them: acknowledgement, escalation, cases. */
    alarms: ReturnType<typeof alarmsRepository>;
  };
  auth: ReturnType<typeof authService>;
  /** HTTP ingest gateways and their keys. */
  gateways: GatewayService;
  /** Acknowledging, escalating and opening cases for sensor alarms. */
  alarms: AlarmService;
  /** Device ingest (pipeline, HTTP batches; MQTT after ingest.start()). */
  ingest: IngestRuntime;
  /** Demo accounts created at start (empty when DEMO_ACCOUNTS=false). */
  demoAccounts: { username: string; role: string; displayName: string }[];
}

/** Builds the context around an open database (tests hand in their own). */
export function buildApp(config: Config, db: Database, log: Logger = createLogger(config.LOG_LEVEL)): App {
  const repos = {
    users: usersRepository(db),
    map: mapRepository(db),
    sensorFeed: sensorFeedRepository(db),
    ingest: ingestRepository(db),
    deadLetters: deadLettersRepository(db),
    alarms: alarmsRepository(db),
  };
  return {
    config,
    db,
    log,
    repos,
    auth: authService({ users: repos.users, sessionTtlHours: config.SESSION_TTL_HOURS }),
    gateways: gatewayService({ ingest: repos.ingest }),
    alarms: alarmService({ alarms: repos.alarms, log }),
    ingest: createIngest(config, repos, log),
    demoAccounts: [],
  };
}

/** Opens and migrates the database, generates the demo city on first start, creates demo accounts. */
export async function startApp(config: Config): Promise<App> {
  const log = createLogger(config.LOG_LEVEL);
  const t0 = Date.now();
  const db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  log.info('database ready', { engine: db.engine, ms: Date.now() - t0 });
  const app = buildApp(config, db, log);
  const city = await generateDemoCity(db, {
    sensorCount: config.DEMO_SENSOR_COUNT,
    seed: config.DEMO_SEED,
    log: (msg) => log.info(msg),
  });
  if (city.generated) log.info('demo city generated', { ...city });
  const expired = await app.repos.users.deleteExpiredSessions(new Date());
  if (expired) log.info('expired sessions removed', { count: expired });
  if (config.DEMO_ACCOUNTS) app.demoAccounts = await app.auth.ensureDemoAccounts(config.DEMO_PASSWORD);
  return app;
}
