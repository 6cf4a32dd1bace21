// Guards sign-in: per-account and per-address counters with exponential back-off and a temporary refusal
// (rules in domain/login-throttle.ts, counters in PostgreSQL so every node of a cluster sees the same), the
// audit of every attempt, and the retention that keeps both tables bounded.
import {
  accountKey,
  addressKey,
  afterFailure,
  combine,
  decide,
  forgiveOne,
  type ThrottleDecision,
  type ThrottlePolicy,
} from '../domain/login-throttle';
import type {
  CounterKey,
  LoginAttemptsRepository,
  LoginAuditInput,
} from '../db/repositories/login-attempts.repository';
import type { Logger } from '../log';

/** The two policies and how long the audit is kept. */
export interface LoginGuardSettings {
  account: ThrottlePolicy;
  address: ThrottlePolicy;
  auditRetentionDays: number;
  /**
   * An address the login name signed in from within this many days is exempt from the account's counter
   * (only its address counter applies), so an attacker elsewhere cannot lock the user out; 0 = no exemption.
   */
  knownAddressDays: number;
}

/** The settings from configuration (server/config.ts). */
export function loginGuardSettingsOf(c: {
  LOGIN_ACCOUNT_FREE_FAILURES: number;
  LOGIN_ACCOUNT_LIMIT: number;
  LOGIN_ADDRESS_FREE_FAILURES: number;
  LOGIN_ADDRESS_LIMIT: number;
  LOGIN_WINDOW_S: number;
  LOGIN_LOCK_S: number;
  LOGIN_BACKOFF_BASE_MS: number;
  LOGIN_AUDIT_RETENTION_DAYS: number;
  LOGIN_KNOWN_ADDRESS_DAYS: number;
}): LoginGuardSettings {
  const common = {
    windowMs: c.LOGIN_WINDOW_S * 1000,
    lockMs: c.LOGIN_LOCK_S * 1000,
    backoffBaseMs: c.LOGIN_BACKOFF_BASE_MS,
  };
  return {
    account: { ...common, freeFailures: c.LOGIN_ACCOUNT_FREE_FAILURES, limit: c.LOGIN_ACCOUNT_LIMIT },
    address: { ...common, freeFailures: c.LOGIN_ADDRESS_FREE_FAILURES, limit: c.LOGIN_ADDRESS_LIMIT },
    auditRetentionDays: c.LOGIN_AUDIT_RETENTION_DAYS,
    // The audit is the memory of known addresses: it cannot reach further back than retention.
    knownAddressDays: Math.min(c.LOGIN_KNOWN_ADDRESS_DAYS, c.LOGIN_AUDIT_RETENTION_DAYS),
  };
}

export function loginGuard(deps: { attempts: LoginAttemptsRepository; settings: LoginGuardSettings }) {
  const { attempts, settings } = deps;
  const keysOf = (loginName: string, address: string) => ({
    account: `account:${accountKey(loginName)}` as CounterKey,
    address: `address:${addressKey(address)}` as CounterKey,
  });

  return {
    settings,

    /**
     * Whether an attempt may check its password now. An allowed attempt (and one made during a back-off)
     * is counted as a failure at once, before the password is checked: parallel guesses on many nodes
     * cannot outrun the counters. A refused attempt is not counted, so a refusal never grows longer.
     */
    async begin(loginName: string, address: string, now: Date): Promise<ThrottleDecision> {
      const k = keysOf(loginName, address);
      // Asked for known and unknown login names alike (an unknown one is simply never known here).
      const known =
        settings.knownAddressDays > 0 &&
        (await attempts.signedInFrom(
          loginName,
          address,
          new Date(now.getTime() - settings.knownAddressDays * 86_400_000),
        ));
      const keys = known ? [k.address] : [k.account, k.address];
      return attempts.withCounters(keys, (states) => {
        const acct = states.get(k.account) ?? null;
        const addr = states.get(k.address) ?? null;
        const d = combine([
          known ? { kind: 'allow' as const } : decide(acct, settings.account, now),
          decide(addr, settings.address, now),
        ]);
        const writes = new Map<CounterKey, ReturnType<typeof afterFailure> | null>();
        if (d.kind !== 'refuse') {
          if (!known) writes.set(k.account, afterFailure(acct, settings.account, now));
          writes.set(k.address, afterFailure(addr, settings.address, now));
        }
        return { writes, result: d };
      });
    },

    /**
     * The password was right: the account's counter is cleared, and the address gets back the one failure
     * counted in advance (its other failures stay, so one's own account cannot reset a spraying address).
     */
    async succeeded(loginName: string, address: string): Promise<void> {
      const k = keysOf(loginName, address);
      await attempts.withCounters([k.account, k.address], (states) => {
        const addr = states.get(k.address) ?? null;
        const writes = new Map<CounterKey, ReturnType<typeof forgiveOne>>([[k.account, null]]);
        writes.set(k.address, addr ? forgiveOne(addr, settings.address) : null);
        return { writes, result: undefined };
      });
    },

    audit(a: LoginAuditInput): Promise<void> {
      return attempts.audit(a);
    },

    /** Deletes audit rows past retention and counters that no longer matter. */
    async prune(now: Date): Promise<{ audit: number; counters: number }> {
      const auditBefore = new Date(now.getTime() - settings.auditRetentionDays * 86_400_000);
      const longest = Math.max(
        settings.account.windowMs,
        settings.account.lockMs,
        settings.address.windowMs,
        settings.address.lockMs,
      );
      return attempts.prune(auditBefore, new Date(now.getTime() - longest));
    },
  };
}

export type LoginGuard = ReturnType<typeof loginGuard>;

const PRUNE_EVERY_MS = 3600_000;

/** The leader's hourly retention run (also once at start). */
export function startLoginRetention(guard: LoginGuard, log: Logger): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = guard
      .prune(new Date())
      .then((gone) => {
        if (gone.audit || gone.counters) log.info('login audit retention', gone);
      })
      .catch((err: Error) => log.warn('login audit retention failed', { error: err.message }));
  };
  run();
  const timer = setInterval(run, PRUNE_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
