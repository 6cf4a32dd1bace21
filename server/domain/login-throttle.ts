// Sign-in throttling rules, pure: how a counter of failed attempts (per login name or per client address)
// turns into an exponential back-off and then a temporary refusal. No I/O, no clock: `now` is passed in.

/** How one kind of counter (account or address) throttles. */
export interface ThrottlePolicy {
  /** Failures allowed in a window before any wait is asked for. */
  freeFailures: number;
  /** Failures in a window that refuse every further attempt for `lockMs`. */
  limit: number;
  /** Failures count within this window after the first one, ms. */
  windowMs: number;
  /** How long a refusal lasts, ms (also the longest back-off). */
  lockMs: number;
  /** The first back-off, ms; each further failure doubles it. */
  backoffBaseMs: number;
}

/** A counter as stored. */
export interface ThrottleState {
  /** Failures (including attempts made while a wait was asked for) in the current window. */
  failures: number;
  /** When the current window began (its first failure). */
  windowStart: Date;
  /** When the last failure was counted; the back-off runs from here. */
  lastFailureAt: Date;
  /** Refused until then, or null when not refused. */
  lockedUntil: Date | null;
}

/** What a new attempt may do. */
export type ThrottleDecision =
  | { kind: 'allow' }
  /** Back-off: this attempt is too soon; `retryAfterMs` until the next one is looked at. */
  | { kind: 'wait'; retryAfterMs: number }
  /** Hard limit reached: every attempt is refused for `retryAfterMs`. */
  | { kind: 'refuse'; retryAfterMs: number };

/** The wait asked for after `failures` failures: 0 up to the free ones, then base × 2^(k−1), capped. */
export function backoffMs(failures: number, p: ThrottlePolicy): number {
  const k = failures - p.freeFailures;
  if (k <= 0) return 0;
  return Math.min(p.lockMs, p.backoffBaseMs * 2 ** Math.min(k - 1, 40));
}

/** Whether the stored counter no longer matters at `now`: its window and any refusal are over. */
export function isStale(s: ThrottleState, p: ThrottlePolicy, now: Date): boolean {
  if (s.lockedUntil) return s.lockedUntil.getTime() <= now.getTime();
  return now.getTime() - s.windowStart.getTime() >= p.windowMs;
}

export function decide(s: ThrottleState | null, p: ThrottlePolicy, now: Date): ThrottleDecision {
  if (!s || isStale(s, p, now)) return { kind: 'allow' };
  const t = now.getTime();
  if (s.lockedUntil) return { kind: 'refuse', retryAfterMs: s.lockedUntil.getTime() - t };
  const backoff = backoffMs(s.failures, p);
  const wait = s.lastFailureAt.getTime() + backoff - t;
  return backoff > 0 && wait > 0 ? { kind: 'wait', retryAfterMs: wait } : { kind: 'allow' };
}

/** The counter after one more failure at `now` (a stale counter starts a new window). */
export function afterFailure(s: ThrottleState | null, p: ThrottlePolicy, now: Date): ThrottleState {
  if (!s || isStale(s, p, now))
    return { failures: 1, windowStart: now, lastFailureAt: now, lockedUntil: null };
  const failures = s.failures + 1;
  const lockedUntil = failures >= p.limit ? new Date(now.getTime() + p.lockMs) : null;
  return { failures, windowStart: s.windowStart, lastFailureAt: now, lockedUntil };
}

/**
 * Takes back one failure counted in advance for an attempt that then succeeded (attempts are counted
 * before the password is checked, so parallel guesses cannot outrun the back-off). Null: nothing left.
 */
export function forgiveOne(s: ThrottleState, p: ThrottlePolicy): ThrottleState | null {
  const failures = s.failures - 1;
  if (failures <= 0) return null;
  return { ...s, failures, lockedUntil: failures >= p.limit ? s.lockedUntil : null };
}

/** The decision of several counters at once: a refusal wins over a wait, the longest of each wins. */
export function combine(decisions: readonly ThrottleDecision[]): ThrottleDecision {
  const longest = (kind: 'wait' | 'refuse') =>
    Math.max(...decisions.map((d) => (d.kind === kind ? d.retryAfterMs : 0)));
  if (decisions.some((d) => d.kind === 'refuse')) return { kind: 'refuse', retryAfterMs: longest('refuse') };
  if (decisions.some((d) => d.kind === 'wait')) return { kind: 'wait', retryAfterMs: longest('wait') };
  return { kind: 'allow' };
}

/**
 * The counter key of a client address. IPv6 addresses count per /64 (one subscriber's usual allocation),
 * so rotating through a prefix does not give fresh counters; IPv4 (also IPv4-mapped IPv6) per address.
 */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1];
  if (!a.includes(':')) return a || 'unknown';
  const groups = expandIpv6(a);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : a.slice(0, 64);
}

function expandIpv6(a: string): string[] | null {
  const halves = a.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => g.replace(/^0+(?=.)/, ''));
}

/** The counter key of a login name: case and surrounding space do not make a new counter. */
export function accountKey(loginName: string): string {
  return loginName.trim().toLowerCase().slice(0, 100);
}
