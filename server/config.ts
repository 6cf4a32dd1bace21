// Reads and validates the whole configuration once at start-up; every setting has an embedded-mode default.
import { z } from 'zod';
import { parseDates, parseWindows, type WorkCalendar } from './domain/work-calendar';
import { WALL_SCENE_KINDS, type WallSceneKind, type WallSchedule } from '../src/lib/api/wall';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().default('.data'),
  // The embedded database's buffer pool (PostgreSQL's shared_buffers), MB. PGlite's WASM heap never gives
  // memory back, so the stock 128 MB stays resident once used; the OS page cache serves the rest.
  PGLITE_SHARED_BUFFERS_MB: z.coerce
    .number({ message: 'must be a whole number of MB' })
    .int('must be a whole number of MB')
    .min(1, 'at least 1 MB')
    .max(4096, 'at most 4096 MB')
    .default(32),
  SIM_ENABLED: bool.default(true),
  SIM_TICK_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  // The mean over a week; each hour follows the day's rhythm (domain/hotline-rhythm): 7.5 = 180 a day, the
  // history's default, so today's calls and the usual come from one curve.
  SIM_CALLS_PER_HOUR: z.coerce.number().min(0).max(100_000).default(7.5),
  // 0.0006 × 20,000 sensors ≈ 12 device faults an hour in the city, about 4 of them alarm-level.
  SIM_FAULTS_PER_SENSOR_HOUR: z.coerce.number().min(0).max(100).default(0.0006),
  SIM_DESK_WORKERS: bool.default(true),
  SIM_DESK_TICK_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  DEMO_SENSOR_COUNT: z.coerce.number().int().min(0).max(2_000_000).default(20_000),
  DEMO_SEED: z.string().default('citynerve'),
  // The demo district's past (server/sim/history/): days of history generated on first start, 0 = none.
  DEMO_HISTORY_DAYS: z.coerce
    .number({ message: 'must be a whole number of days' })
    .int('must be a whole number of days')
    .min(0, 'must be 0 (no history) or more days')
    .max(800, 'at most 800 days')
    .default(395),
  // Mean hotline calls a day in that past (the live simulator uses the same daily mean). 180, not 240:
  // at 240 the first start on embedded PGlite with 20,000 sensors took 134 s, over the 2-minute budget
  // (docs/benchmarks.md, bench:start).
  DEMO_HISTORY_CALLS_PER_DAY: z.coerce
    .number({ message: 'must be a number of calls a day' })
    .min(1, 'at least 1 call a day')
    .max(20_000, 'at most 20000 calls a day')
    .default(180),
  DEMO_ACCOUNTS: bool.default(true),
  DEMO_PASSWORD: z.string().min(8).default('citynerve-demo'),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 90)
    .default(12),
  COOKIE_SECURE: bool.default(false),
  // Sign-in throttling (server/services/login-guard.ts): failures per login name and per client address in
  // a window; beyond the free ones each waits base × 2^(k−1); at the limit all attempts wait LOGIN_LOCK_S.
  LOGIN_ACCOUNT_FREE_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_ACCOUNT_LIMIT: z.coerce.number().int().min(2).max(10_000).default(10),
  LOGIN_ADDRESS_FREE_FAILURES: z.coerce.number().int().min(1).max(100_000).default(20),
  LOGIN_ADDRESS_LIMIT: z.coerce.number().int().min(2).max(1_000_000).default(100),
  LOGIN_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(900),
  LOGIN_LOCK_S: z.coerce.number().int().min(1).max(86_400).default(900),
  LOGIN_BACKOFF_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1000),
  LOGIN_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  // An address a login name signed in from within this many days escapes that name's counter (0 = never).
  LOGIN_KNOWN_ADDRESS_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  REALTIME_POLL_MS: z.coerce.number().int().min(20).max(10_000).default(100),
  RESUME_MAX_CHANGES: z.coerce.number().int().min(1).default(50_000),
  BASEMAP_STYLE_URL: z.string().url().optional(),
  /** A local PMTiles archive of vector tiles (Protomaps schema, or `npm run import:basemap`'s output). */
  BASEMAP_PMTILES: z.string().min(1).optional(),
  ALARM_SWEEP_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  HEARTBEAT_CHECK_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // Device ingest (server/ingest/).
  MQTT_URL: z
    .string()
    .regex(/^mqtts?:\/\//, 'must start with mqtt:// or mqtts://')
    .optional(),
  MQTT_EMBEDDED_PORT: z.coerce.number().int().min(0).max(65535).default(1884),
  MQTT_EMBEDDED_HOST: z.string().default('127.0.0.1'),
  MQTT_SHARED_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, "-" and "_" only (empty = no shared subscription)')
    .default('citynerve'),
  MQTT_CLIENT_ID: z.string().min(1).max(64).optional(),
  // Two batches per writer and then some, so the broker keeps sending while batches are written (bench: 2000
  // halved throughput; 12,000 held 2 writers back by a third once the write path got cheaper).
  MQTT_MAX_INFLIGHT: z.coerce.number().int().min(1).max(65535).default(30000),
  INGEST_BATCH_MS: z.coerce.number().int().min(5).max(10_000).default(50),
  // At most 5,000: above about 5,600 rows PostgreSQL plans the batch's state update as a scan of the whole
  // sensor_state table (measured at 500,000 sensors: the cost per reading doubles at 10,000).
  INGEST_BATCH_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(5000, 'at most 5000 (larger batches make PostgreSQL scan every sensor state per batch)')
    .default(5000),
  INGEST_WRITERS: z.coerce.number().int().min(1).max(16).default(2),
  // Keep each sensor's last written state in memory (server/ingest/state-cache.ts). Several nodes behind a
  // round-robin shared subscription see each other's writes as conflicts: there, false may be cheaper.
  INGEST_STATE_CACHE: bool.default(true),
  INGEST_MAX_MESSAGE_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(16_384),
  INGEST_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1_048_576)
    .default(8 * 1_048_576),
  INGEST_MAX_FUTURE_SKEW_S: z.coerce.number().int().min(0).max(86_400).default(300),
  // Dead letters (refused device messages) are trimmed every minute: older than this many days, or beyond
  // this many rows (oldest first). Their counts per reason stay (dead_letter_tallies).
  DEAD_LETTER_RETENTION_DAYS: z.coerce
    .number({ message: 'must be a number of days' })
    .min(0.01, 'at least 0.01 days')
    .max(3650, 'at most 3650 days')
    .default(14),
  DEAD_LETTER_MAX_ROWS: z.coerce
    .number({ message: 'must be a whole number of rows' })
    .int('must be a whole number of rows')
    .min(100, 'at least 100 rows')
    .max(100_000_000, 'at most 100000000 rows')
    .default(200_000),
  // Cases (server/services/case.service.ts, intake.service.ts).
  WORK_HOURS: z.string().default('09:00-12:00,13:00-18:00'),
  HOLIDAYS: z.string().default(''),
  WORKDAYS: z.string().default(''),
  TRIAGE_BELOW: z.coerce.number().min(0).max(1).default(0.45),
  DUPLICATE_RADIUS_M: z.coerce.number().min(0).max(5000).default(150),
  DUPLICATE_WINDOW_DAYS: z.coerce.number().min(0).max(365).default(7),
  DEADLINE_CHECK_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  OPEN311_DEMO_KEY: z.string().min(12).default('citynerve-open311-demo-key'),
  READINGS_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(30),
  // Reading history has one partition per UTC day (migration 0015), made this many days ahead so that a
  // missed maintenance run (database away, lock not granted) never leaves a day without its partition.
  READINGS_PARTITIONS_AHEAD_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  // Replay (server/services/replay.service.ts): how far back any instant can be rebuilt, and how often a
  // checkpoint of every sensor's state is taken (the most transitions one rebuild reads).
  REPLAY_DAYS: z.coerce.number().int().min(1).max(400).default(30),
  REPLAY_CHECKPOINT_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  // Public transparency view (server/services/public.service.ts): cell size, small-count threshold, limits.
  PUBLIC_CELL_M: z.coerce.number().int().min(250).max(5000).default(1000),
  PUBLIC_MIN_COUNT: z.coerce.number().int().min(1).max(100).default(5),
  PUBLIC_RATE_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(600),
  PUBLIC_CACHE_S: z.coerce.number().int().min(0).max(86_400).default(300),
  // Several nodes behind a load balancer share the public view's rate allowance and cache through Redis when
  // this is set (otherwise through DATABASE_URL's PostgreSQL, or in memory for embedded PGlite), and live
  // events then cross nodes through a Redis stream (REALTIME_ADAPTER=auto).
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/[^/]/, 'must start with redis:// or rediss:// and name a host')
    .optional(),
  // The leaders' wall (/wall): scene rotation and the stale banner.
  WALL_SCENES: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()))
    .refine((list) => list.every((s) => (WALL_SCENE_KINDS as readonly string[]).includes(s)), {
      message: `a comma list of ${WALL_SCENE_KINDS.join(', ')}`,
    })
    .default(['city', 'districts', 'hotspots']),
  WALL_SCENE_SECONDS: z.coerce.number().int().min(2).max(3600).default(20),
  WALL_STALE_SECONDS: z.coerce.number().int().min(3).max(600).default(10),
  // Origins allowed to frame the wall (a space-separated list of https://host[:port]); none by default.
  WALL_FRAME_ANCESTORS: z
    .string()
    .transform((v) => v.split(/\s+/).filter(Boolean))
    .refine((list) => list.every((o) => /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(o)), {
      message: 'a space-separated list of origins such as https://portal.example.gov',
    })
    .default([]),
  // The longest a single SQL statement may run on PostgreSQL (statement_timeout), ms; 0 = no limit.
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  // Several nodes (docs/deployment.md). How live events cross nodes: auto = Redis Streams when REDIS_URL
  // is set, the PostgreSQL adapter when DATABASE_URL is, none (one process) on the embedded database.
  REALTIME_ADAPTER: z.enum(['auto', 'none', 'postgres', 'redis']).default('auto'),
  /** This node's name in logs, /api/health and pg_stat_activity (default host:port). */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,48}$/, 'letters, digits and . _ : - only, at most 48')
    .optional(),
  /** How often a follower tries to become the leader (and the leader checks its lock), ms. */
  LEADER_RETRY_MS: z.coerce.number().int().min(200).max(60_000).default(2000),
  /** On SIGTERM: how long /api/health says "draining" before sockets close, so the balancer notices. */
  DRAIN_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
});

export type Config = z.infer<typeof schema>;

/** Parses the environment; throws one message naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const loginProblem = checkLoginLimits(parsed.data);
  if (loginProblem) throw new Error(`Invalid configuration:\n  ${loginProblem}`);
  const calendarProblem = checkCalendar(parsed.data);
  if (calendarProblem) throw new Error(`Invalid configuration:\n  ${calendarProblem}`);
  return parsed.data;
}

function checkLoginLimits(c: Config): string | null {
  if (c.LOGIN_ACCOUNT_LIMIT <= c.LOGIN_ACCOUNT_FREE_FAILURES)
    return 'LOGIN_ACCOUNT_LIMIT: must be greater than LOGIN_ACCOUNT_FREE_FAILURES';
  if (c.LOGIN_ADDRESS_LIMIT <= c.LOGIN_ADDRESS_FREE_FAILURES)
    return 'LOGIN_ADDRESS_LIMIT: must be greater than LOGIN_ADDRESS_FREE_FAILURES';
  return null;
}

function checkCalendar(c: Config): string | null {
  try {
    workCalendarOf(c);
    return null;
  } catch (err) {
    return `WORK_HOURS/HOLIDAYS/WORKDAYS: ${(err as Error).message}`;
  }
}

/** The wall's scene schedule and stale threshold. */
export function wallScheduleOf(
  c: Pick<Config, 'WALL_SCENES' | 'WALL_SCENE_SECONDS' | 'WALL_STALE_SECONDS'>,
): WallSchedule {
  return {
    scenes: c.WALL_SCENES as WallSceneKind[],
    seconds: c.WALL_SCENE_SECONDS,
    staleSeconds: c.WALL_STALE_SECONDS,
  };
}

/** The working-hours calendar deadlines run on. */
export function workCalendarOf(c: Pick<Config, 'WORK_HOURS' | 'HOLIDAYS' | 'WORKDAYS'>): WorkCalendar {
  return {
    utcOffsetMinutes: 480,
    windows: parseWindows(c.WORK_HOURS),
    holidays: parseDates(c.HOLIDAYS),
    workdays: parseDates(c.WORKDAYS),
  };
}
