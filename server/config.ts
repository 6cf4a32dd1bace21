// Reads and validates the whole configuration once at start-up; every setting has an embedded-mode default.
import { z } from 'zod';

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
  SIM_ENABLED: bool.default(true),
  SIM_TICK_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  SIM_CALLS_PER_HOUR: z.coerce.number().min(0).max(100_000).default(120),
  DEMO_SENSOR_COUNT: z.coerce.number().int().min(0).max(2_000_000).default(20_000),
  DEMO_SEED: z.string().default('citynerve'),
  DEMO_ACCOUNTS: bool.default(true),
  DEMO_PASSWORD: z.string().min(8).default('citynerve-demo'),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 90)
    .default(12),
  COOKIE_SECURE: bool.default(false),
  REALTIME_POLL_MS: z.coerce.number().int().min(20).max(10_000).default(200),
  RESUME_MAX_CHANGES: z.coerce.number().int().min(1).default(50_000),
  BASEMAP_STYLE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
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
  return parsed.data;
}
