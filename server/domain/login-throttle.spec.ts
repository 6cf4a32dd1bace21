import { describe, expect, it } from 'vitest';
import {
  accountKey,
  addressKey,
  afterFailure,
  backoffMs,
  combine,
  decide,
  forgiveOne,
  type ThrottlePolicy,
  type ThrottleState,
} from './login-throttle';

const P: ThrottlePolicy = {
  freeFailures: 5,
  limit: 10,
  windowMs: 900_000,
  lockMs: 900_000,
  backoffBaseMs: 1000,
};
const t0 = new Date('2026-12-07T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

/** `n` failures one second apart from t0. */
function failures(n: number): ThrottleState {
  let s: ThrottleState | null = null;
  for (let i = 0; i < n; i++) s = afterFailure(s, P, at(i * 1000));
  return s!;
}

describe('login throttling rules', () => {
  it('asks for no wait up to the free failures, then doubles: 1, 2, 4, 8 s', () => {
    expect([1, 5, 6, 7, 8, 9].map((n) => backoffMs(n, P))).toEqual([0, 0, 1000, 2000, 4000, 8000]);
  });

  it('never asks for more than the lock time', () => {
    expect(backoffMs(60, P)).toBe(P.lockMs);
  });

  it('allows the free failures without waiting', () => {
    expect(decide(failures(5), P, at(5000))).toEqual({ kind: 'allow' });
  });

  it('after the sixth failure the next attempt must wait one second, and is allowed after it', () => {
    const s = failures(6); // the last at +5 s
    expect(decide(s, P, at(5500))).toEqual({ kind: 'wait', retryAfterMs: 500 });
    expect(decide(s, P, at(6000))).toEqual({ kind: 'allow' });
  });

  it('refuses every attempt for the lock time once the limit is reached, then starts afresh', () => {
    const s = failures(10); // the last at +9 s
    expect(s.lockedUntil).toEqual(at(9000 + P.lockMs));
    expect(decide(s, P, at(10_000))).toEqual({ kind: 'refuse', retryAfterMs: P.lockMs - 1000 });
    expect(decide(s, P, at(9000 + P.lockMs))).toEqual({ kind: 'allow' });
    expect(afterFailure(s, P, at(9000 + P.lockMs)).failures).toBe(1);
  });

  it('forgets failures once the window has passed', () => {
    const s = failures(7);
    expect(decide(s, P, at(P.windowMs))).toEqual({ kind: 'allow' });
    expect(afterFailure(s, P, at(P.windowMs)).failures).toBe(1);
  });

  it('forgiving the failure counted for a successful attempt takes back its wait and its lock', () => {
    const s = failures(10);
    const back = forgiveOne(s, P)!;
    expect(back.failures).toBe(9);
    expect(back.lockedUntil).toBeNull();
    expect(forgiveOne(failures(1), P)).toBeNull();
  });

  it('combines counters: a refusal wins, and the longest wait of a kind', () => {
    expect(
      combine([
        { kind: 'wait', retryAfterMs: 4000 },
        { kind: 'refuse', retryAfterMs: 60_000 },
      ]),
    ).toEqual({ kind: 'refuse', retryAfterMs: 60_000 });
    expect(
      combine([
        { kind: 'wait', retryAfterMs: 4000 },
        { kind: 'wait', retryAfterMs: 1000 },
        { kind: 'allow' },
      ]),
    ).toEqual({ kind: 'wait', retryAfterMs: 4000 });
    expect(combine([{ kind: 'allow' }, { kind: 'allow' }])).toEqual({ kind: 'allow' });
  });

  it('counts a login name whatever its case or surrounding spaces', () => {
    expect(accountKey('  Admin ')).toBe(accountKey('admin'));
  });

  it('counts IPv4 per address, IPv4-mapped IPv6 as IPv4, and IPv6 per /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('')).toBe('unknown');
  });
});
