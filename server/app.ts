// The application context: configuration, database, repositories and services, built once per process.
// SvelteKit routes reach it through event.locals.app; the Socket.IO server and simulator share it.
import type { Config } from './config';
import { openDatabase, type Database } from './db/client';
import { mapRepository } from './db/repositories/map.repository';
import { sensorFeedRepository } from './db/repositories/sensor-feed.repository';
import { usersRepository } from './db/repositories/users.repository';
import { createLogger, type Logger } from './log';
import { authService } from './services/auth.service';
import { generateDemoCity } from './sim/generate-city';

export interface App {
  config: Config;
  db: Database;
  log: Logger;
  repos: {
    users: ReturnType<typeof usersRepository>;
    map: ReturnType<typeof mapRepository>;
    sensorFeed: ReturnType<typeof sensorFeedRepository>;
  };
  auth: ReturnType<typeof authService>;
  /** Demo accounts created at start (empty when DEMO_ACCOUNTS=false). */
  demoAccounts: { username: string; role: string; displayName: string }[];
}

/** Builds the context around an open database (tests hand in their own). */
export function buildApp(config: Config, db: Database, log: Logger = createLogger(config.LOG_LEVEL)): App {
  const repos = {
    users: usersRepository(db),
    map: mapRepository(db),
    sensorFeed: sensorFeedRepository(db),
  };
  return {
    config,
    db,
    log,
    repos,
    auth: authService({ users: repos.users, sessionTtlHours: config.SESSION_TTL_HOURS }),
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
