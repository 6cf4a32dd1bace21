// The heartbeat watchdog: silence produces no reading for the rules to evaluate, so a periodic sweep marks
// devices offline (state 3) once they have been quiet longer than their family's heartbeat. A device that
// reports again gets its rule-derived state back from the ingest pipeline's next batch.
import type { IngestRepository } from '../db/repositories/ingest.repository';
import type { Logger } from '../log';

/** Settings of the watchdog. */
export interface WatchdogOptions {
  /** Pause between the end of one check and the start of the next, ms. */
  intervalMs: number;
  /** The clock; `new Date()` when absent (tests pass their own). */
  now?: () => Date;
  /** Where marked devices and failures are reported. */
  log: Logger;
}

/** A running watchdog. */
export interface Watchdog {
  /** Stops the timer and waits for a check in progress, so the database can close afterwards. */
  stop(): Promise<void>;
  /** Runs one check as of `now` (after any check in progress); resolves with how many sensors went offline. */
  runOnce(now: Date): Promise<number>;
}

/**
 * Checks once right away (devices that fell silent while no node was running are found at start), then
 * every `intervalMs`. Checks never overlap on one node; several nodes may check at once, since marking is
 * one idempotent statement. A failed check is logged and the timer keeps going.
 */
export function startWatchdog(
  repo: Pick<IngestRepository, 'markSilentOffline'>,
  options: WatchdogOptions,
): Watchdog {
  if (!(options.intervalMs > 0)) throw new Error(`intervalMs must be positive, got ${options.intervalMs}`);
  const clock = options.now ?? (() => new Date());
  const { log } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let last: Promise<unknown> = Promise.resolve();

  const runOnce = (now: Date): Promise<number> => {
    const run = last.then(async () => {
      const n = await repo.markSilentOffline(now);
      if (n > 0) log.info('heartbeat watchdog: sensors went offline', { sensors: n, at: now.toISOString() });
      return n;
    });
    last = run.catch(() => undefined);
    return run;
  };

  const tick = async () => {
    try {
      await runOnce(clock());
    } catch (err) {
      log.error('heartbeat watchdog: check failed', { error: (err as Error).message });
    }
    if (stopped) return;
    timer = setTimeout(() => void tick(), options.intervalMs);
    timer.unref();
  };
  void tick();

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await last;
    },
  };
}
