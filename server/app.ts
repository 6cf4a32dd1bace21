// The application context: configuration, database, repositories and services, built once per process.
// SvelteKit routes reach it through event.locals.app; the Socket.IO server and simulator share it.
import { openDatabase, openPostgres, type Database } from './db/client';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { STREETS } from './domain/city-facts';
import { alarmsRepository } from './db/repositories/alarms.repository';
import { casesRepository } from './db/repositories/cases.repository';
import { hotspotsRepository } from './db/repositories/hotspots.repository';
import { problemsRepository } from './db/repositories/problems.repository';
import { open311Repository } from './db/repositories/open311.repository';
import { deadLettersRepository } from './db/repositories/dead-letters.repository';
import { ingestRepository } from './db/repositories/ingest.repository';
import { mapRepository } from './db/repositories/map.repository';
import { readingsPartitionsRepository } from './db/repositories/readings-partitions.repository';
import { ruleOverridesRepository } from './db/repositories/rule-overrides.repository';
import { sensorFeedRepository } from './db/repositories/sensor-feed.repository';
import { usersRepository } from './db/repositories/users.repository';
import { loginAttemptsRepository } from './db/repositories/login-attempts.repository';
import { replayService, type ReplayService } from './services/replay.service';
import { replayRepository } from './db/repositories/replay.repository';
import { loginGuard, loginGuardSettingsOf, type LoginGuard } from './services/login-guard';
import { displayTokensRepository } from './db/repositories/display-tokens.repository';
import { displayTokenService, type DisplayTokenService } from './services/display-token.service';
import { wallService, type WallService } from './services/wall.service';
import { boundariesService, type BoundariesService } from './services/boundaries.service';
import { createIngest, ruleBuilder, type IngestRuntime } from './ingest/runtime';
import { createLogger, type Logger } from './log';
import { alarmService, type AlarmService } from './services/alarm.service';
import { authService } from './services/auth.service';
import { gatewayService, type GatewayService } from './services/gateway.service';
import { ruleOverrideService, type RuleOverrideService } from './services/rule-override.service';
import { caseService, type CaseChangeNotice, type CaseService } from './services/case.service';
import { hotspotService, type HotspotService } from './services/hotspot.service';
import { problemsService, type ProblemsService } from './services/problems.service';
import { intakeService, type IntakeService } from './services/intake.service';
import { alarmCaseOpener } from './services/alarm-cases';
import { complaintClassifier, type TrainedClassifier } from './services/complaint-classifier';
import { matchDuplicate } from './domain/duplicates';
import { wallScheduleOf, workCalendarOf, type Config } from './config';
import type { WorkCalendar } from './domain/work-calendar';
import { generateDemoCity } from './sim/generate-city';
import { generateDemoHistory } from './sim/history';
import { openBasemap, type Basemap } from './basemap/archive';
import { withStartupLock } from './cluster/leadership';
import { clusterNameOf } from './cluster/realtime-adapter';
import { memoryStore, openSharedStore, type SharedStore } from './cluster/shared-store';

export interface App {
  config: Config;
  db: Database;
  log: Logger;
  repos: {
    users: ReturnType<typeof usersRepository>;
    /** Sign-in throttling counters and the sign-in audit. */
    loginAttempts: ReturnType<typeof loginAttemptsRepository>;
    map: ReturnType<typeof mapRepository>;
    sensorFeed: ReturnType<typeof sensorFeedRepository>;
    /** Device ingest's writes, the sensor registry as ingest sees it, and gateway keys. */
    ingest: ReturnType<typeof ingestRepository>;
    /** Refused device messages. */
    deadLetters: ReturnType<typeof deadLettersRepository>;
    /** Reading history's daily partitions. */
    readingsPartitions: ReturnType<typeof readingsPartitionsRepository>;
    /** Alarms after ingest opened them: acknowledgement, escalation, cases. */
    alarms: ReturnType<typeof alarmsRepository>;
    /** Cases, their events and the tickets behind them. */
    cases: ReturnType<typeof casesRepository>;
    /** Open311's reads of cases as service requests, and its API keys. */
    open311: ReturnType<typeof open311Repository>;
    /** Per-sensor rule overrides and their audit trail. */
    ruleOverrides: ReturnType<typeof ruleOverridesRepository>;
  };
  auth: ReturnType<typeof authService>;
  /** Sign-in throttling, audit and its retention (used by auth). */
  loginGuard: LoginGuard;
  /** Wall displays' tokens: create, list, revoke, and signing a kiosk in. */
  displayTokens: DisplayTokenService;
  /** The leaders' wall: its aggregate figures and scene schedule. */
  wall: WallService;
  /** Street and district boundaries encoded once (JSON, gzip, brotli, ETag), rebuilt when they change. */
  boundaries: BoundariesService;
  /** HTTP ingest gateways and their keys. */
  gateways: GatewayService;
  /** Acknowledging, escalating and opening cases for sensor alarms. */
  alarms: AlarmService;
  /** Device ingest (pipeline, HTTP batches; MQTT after ingest.start()). */
  ingest: IngestRuntime;
  /** A sensor's alarm rules: family rules, its overrides, what ingest evaluates; changing the overrides. */
  ruleOverrides: RuleOverrideService;
  /** The working-hours calendar case deadlines run on. */
  calendar: WorkCalendar;
  /** The complaint classifier (trained at start on the shipped corpus plus officers' corrections). */
  classifier: TrainedClassifier;
  /** Taking actions on cases. */
  cases: CaseService;
  /** Every citizen report's way in. */
  intake: IntakeService;
  /** Hot-spots of reports, cases and alarms (Gi* on a grid, with trends). */
  hotspots: HotspotService;
  /** The operations picture at a past instant, and its checkpoints. */
  replay: ReplayService;
  /** Common problems: alike tickets grouped, with sensor evidence. */
  problems: ProblemsService;
  /** In-process notices for the live layer: "case" after every committed case change. */
  events: AppEvents;
  /** The deployment's vector basemap (BASEMAP_PMTILES), served by /api/map/basemap; null without one. */
  basemap: Basemap | null;
  /**
   * What the nodes of a cluster share: the public view's rate allowance and cache (Redis, the database, or
   * memory on a single embedded node). Closed on shutdown, before the database.
   */
  shared: SharedStore;
  /** Demo accounts created at start (empty when DEMO_ACCOUNTS=false). */
  demoAccounts: { username: string; role: string; displayName: string }[];
  /** This node in its cluster, as /api/health reports it (server/index.ts keeps it current). */
  node: NodeState;
}

/** What a load balancer and an operator need to know of one node. */
export interface NodeState {
  id: string;
  /** "ready" takes traffic; "draining" is stopping (health answers 503 so the balancer moves on). */
  status: 'ready' | 'draining';
  /** Whether this node runs the once-per-cluster jobs (simulator, watchdog, deadlines, escalation). */
  leading: boolean;
  /** How live events reach the other nodes. */
  adapter: 'none' | 'postgres' | 'redis';
}

/** The typed in-process notices the live layer listens to. */
export interface AppEvents {
  on(event: 'case', listener: (n: CaseChangeNotice) => void): this;
  off(event: 'case', listener: (n: CaseChangeNotice) => void): this;
  emit(event: 'case', n: CaseChangeNotice): boolean;
  /** A wall display's token was revoked: its open sockets on this node close at once. */
  on(event: 'displayRevoked', listener: (tokenId: number) => void): this;
  off(event: 'displayRevoked', listener: (tokenId: number) => void): this;
  emit(event: 'displayRevoked', tokenId: number): boolean;
  /** A sensor's rule overrides changed: every node's ingest cache forgets these sensor codes. */
  on(event: 'rulesChanged', listener: (codes: string[]) => void): this;
  off(event: 'rulesChanged', listener: (codes: string[]) => void): this;
  emit(event: 'rulesChanged', codes: string[]): boolean;
  /** A new scoring scheme version was stored: open performance pages reload their scores. */
  on(event: 'schemeChanged', listener: (n: { schemeId: number; active: boolean; at: Date }) => void): this;
  off(event: 'schemeChanged', listener: (n: { schemeId: number; active: boolean; at: Date }) => void): this;
  emit(event: 'schemeChanged', n: { schemeId: number; active: boolean; at: Date }): boolean;
}

/**
 * Builds the context around an open database (tests hand in their own). The shared store defaults to one in
 * memory: an App built this way is one node.
 */
export function buildApp(
  config: Config,
  db: Database,
  log: Logger = createLogger(config.LOG_LEVEL),
  opts: { shared?: SharedStore } = {},
): App {
  const repos = {
    users: usersRepository(db),
    loginAttempts: loginAttemptsRepository(db),
    map: mapRepository(db),
    sensorFeed: sensorFeedRepository(db),
    ingest: ingestRepository(db),
    deadLetters: deadLettersRepository(db),
    readingsPartitions: readingsPartitionsRepository(db),
    alarms: alarmsRepository(db),
    ruleOverrides: ruleOverridesRepository(db),
    cases: casesRepository(db),
    open311: open311Repository(db),
  };
  const events = new EventEmitter() as AppEvents;
  const calendar = workCalendarOf(config);
  const classifier = complaintClassifier();
  const cases = caseService({
    cases: repos.cases,
    calendar,
    log,
    onChange: (n) => events.emit('case', n),
    onCorrection: (text, category) => classifier.learn(text, category),
  });
  const intake = intakeService({
    cases: repos.cases,
    caseService: cases,
    classifier,
    roadsByStreetCode: new Map(STREETS.map((st) => [st.code, st.roads])),
    matchDuplicate,
    triageBelow: config.TRIAGE_BELOW,
    duplicateWindowDays: config.DUPLICATE_WINDOW_DAYS,
    duplicateRadiusM: config.DUPLICATE_RADIUS_M,
    onCaseChange: (n) =>
      events.emit('case', {
        ...n,
        action: n.state === 'linked' ? 'linked' : 'receive',
        state: n.state as CaseChangeNotice['state'],
      }),
  });
  const ingest = createIngest(config, repos, log);
  const hotspots = hotspotService(hotspotsRepository(db));
  const guard = loginGuard({ attempts: repos.loginAttempts, settings: loginGuardSettingsOf(config) });
  return {
    config,
    db,
    log,
    repos,
    auth: authService({ users: repos.users, sessionTtlHours: config.SESSION_TTL_HOURS, guard }),
    loginGuard: guard,
    displayTokens: displayTokenService({
      tokens: displayTokensRepository(db),
      onRevoke: (id) => events.emit('displayRevoked', id),
    }),
    wall: wallService({ db, calendar, hotspots, log, schedule: wallScheduleOf(config) }),
    boundaries: boundariesService({ source: repos.map, log }),
    gateways: gatewayService({ ingest: repos.ingest }),
    alarms: alarmService({
      alarms: repos.alarms,
      log,
      openCase: alarmCaseOpener(cases),
      onCaseOpened: (c) =>
        events.emit('case', {
          id: c.caseId,
          code: c.caseCode,
          action: 'dispatch',
          state: c.departmentId === null ? 'received' : 'dispatched',
          departmentId: c.departmentId,
          at: c.at,
        }),
    }),
    ingest,
    ruleOverrides: ruleOverrideService({
      repo: repos.ruleOverrides,
      buildRules: ruleBuilder(log),
      // This node's cache at once; the others through the live layer (server/index.ts).
      sensors: {
        invalidate: (codes) => {
          ingest.sensors.invalidate(codes);
          events.emit('rulesChanged', [...codes]);
        },
      },
      log,
    }),
    calendar,
    classifier,
    replay: replayService(replayRepository(db), {
      calendar,
      days: config.REPLAY_DAYS,
      checkpointMinutes: config.REPLAY_CHECKPOINT_MINUTES,
    }),
    cases,
    intake,
    hotspots,
    problems: problemsService({ problems: problemsRepository(db) }),
    events,
    basemap: null,
    shared: opts.shared ?? memoryStore(),
    demoAccounts: [],
    node: {
      id: config.NODE_ID ?? `${hostname()}:${config.PORT}`,
      status: 'ready',
      leading: false,
      adapter: 'none',
    },
  };
}

/** Opens and migrates the database, generates the demo city on first start, creates demo accounts. */
export async function startApp(config: Config): Promise<App> {
  const log = createLogger(config.LOG_LEVEL);
  // Nodes started together on one PostgreSQL take turns: the first migrates and generates, the rest find it done.
  const nodeId = config.NODE_ID ?? `${hostname()}:${config.PORT}`;
  return withStartupLock(config.DATABASE_URL, nodeId, () => prepareApp(config, log));
}

async function prepareApp(config: Config, log: Logger): Promise<App> {
  const t0 = Date.now();
  const open = () =>
    openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      sharedBuffersMb: config.PGLITE_SHARED_BUFFERS_MB,
    });
  let db = await open();
  log.info('database ready', { engine: db.engine, ms: Date.now() - t0 });
  const generated = await generateDemo(config, db, log);
  if (generated && db.engine === 'pglite') {
    // Generating grew PGlite's WASM heap (it never shrinks) by what its big transactions needed: a fresh
    // instance serves the live demo from its own, smaller one. A reopen takes about two seconds.
    await db.close();
    db = await open();
  }
  if (db.engine === 'postgres' && config.DATABASE_URL && config.DB_STATEMENT_TIMEOUT_MS) {
    // Migrating and the first start's generation may take long statements; serving may not.
    await db.close();
    db = await openPostgres(config.DATABASE_URL, { statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS });
  }
  // An unreachable REDIS_URL fails the start (naming host:port) rather than running unshared.
  const shared = await openSharedStore({
    redisUrl: config.REDIS_URL,
    db,
    log,
    // Clusters sharing one Redis keep their allowances and caches apart.
    prefix: `citynerve:${clusterNameOf(config.DATABASE_URL)}:public:`,
  }).catch(async (err: Error) => {
    await db.close();
    throw err;
  });
  const app = buildApp(config, db, log, { shared });
  if (config.BASEMAP_PMTILES) {
    app.basemap = await openBasemap(config.BASEMAP_PMTILES);
    log.info('basemap', { file: app.basemap.file, ...app.basemap.info });
  }
  const expired = await app.repos.users.deleteExpiredSessions(new Date());
  if (expired) log.info('expired sessions removed', { count: expired });
  if (config.DEMO_ACCOUNTS) app.demoAccounts = await app.auth.ensureDemoAccounts(config.DEMO_PASSWORD);
  const corrections = await app.repos.cases.corrections();
  for (const c of corrections) app.classifier.learn(c.text, c.category);
  if (corrections.length)
    log.info("classifier: officers' corrections replayed", { count: corrections.length });
  return app;
}

/** The demo city and its past, made on first start; true when anything was generated. */
async function generateDemo(config: Config, db: Database, log: Logger): Promise<boolean> {
  const city = await generateDemoCity(db, {
    sensorCount: config.DEMO_SENSOR_COUNT,
    seed: config.DEMO_SEED,
    log: (msg) => log.info(msg),
  });
  if (city.generated) log.info('demo city generated', { ...city });
  const history = await generateDemoHistory(db, {
    days: config.DEMO_HISTORY_DAYS,
    callsPerDay: config.DEMO_HISTORY_CALLS_PER_DAY,
    seed: config.DEMO_SEED,
    end: new Date(),
    calendar: workCalendarOf(config),
    triageBelow: config.TRIAGE_BELOW,
    duplicateWindowDays: config.DUPLICATE_WINDOW_DAYS,
    duplicateRadiusM: config.DUPLICATE_RADIUS_M,
    replayDays: config.REPLAY_DAYS,
    log: (msg, data) => log.info(msg, data),
  });
  if (history.generated) {
    const { anchors: _anchors, ...counts } = history;
    log.info(`demo history generated in ${(history.ms.total / 1000).toFixed(1)} s`, { ...counts });
  }
  return city.generated || history.generated;
}
