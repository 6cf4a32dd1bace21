import { describe, expect, it } from 'vitest';
import { decisionOf, memoryStore, openSharedStore, redisAddress } from './shared-store';

describe('memory shared store', () => {
  it('gives each key a minute of allowance and a Retry-After once it is spent', async () => {
    const s = memoryStore();
    for (let i = 0; i < 3; i++) expect((await s.take('a', 3, 1_000)).ok).toBe(true);
    expect(await s.take('a', 3, 1_000)).toEqual({ ok: false, retryAfterS: 20 });
    expect((await s.take('b', 3, 1_000)).ok).toBe(true);
  });

  it('refills the allowance over the minute', async () => {
    const s = memoryStore();
    for (let i = 0; i < 6; i++) await s.take('a', 6, 0);
    expect((await s.take('a', 6, 0)).ok).toBe(false);
    expect((await s.take('a', 6, 10_000)).ok).toBe(true);
    expect((await s.take('a', 6, 10_000)).ok).toBe(false);
    expect(await s.take('a', 6, 70_000)).toEqual({ ok: true, remaining: 5 });
  });

  it('keeps values until they expire', async () => {
    let now = 0;
    const s = memoryStore({ now: () => now });
    await s.set('k', 'v', 2);
    expect(await s.get('k')).toBe('v');
    now = 1_999;
    expect(await s.get('k')).toBe('v');
    now = 2_000;
    expect(await s.get('k')).toBeNull();
    await s.set('k', 'w', 5);
    await s.delete('k');
    expect(await s.get('k')).toBeNull();
  });

  it('refuses bad input with a message naming it', async () => {
    const s = memoryStore();
    await expect(s.take('', 10, 0)).rejects.toThrow('shared store: key must be a non-empty string');
    await expect(s.take('a', 0, 0)).rejects.toThrow(/limitPerMin must be a whole number ≥ 1 \(got 0\)/);
    await expect(s.take('a', 1.5, 0)).rejects.toThrow(/limitPerMin/);
    await expect(s.take('a', 10, Number.NaN)).rejects.toThrow(/nowMs/);
    await expect(s.get('')).rejects.toThrow(/key must be a non-empty string/);
    await expect(s.set('k', 'v', 0)).rejects.toThrow(/ttlS must be a whole number of seconds ≥ 1/);
    await expect(s.take('x'.repeat(513), 10, 0)).rejects.toThrow(/at most 512 characters/);
  });
});

describe('shared store helpers', () => {
  it('turn a remote bucket update into RateLimiter’s decision', () => {
    expect(decisionOf(true, 4.7, 60)).toEqual({ ok: true, remaining: 4 });
    // 0.25 of a token at one a second: 0.75 s to wait, rounded up to a whole second.
    expect(decisionOf(false, 0.25, 60)).toEqual({ ok: false, retryAfterS: 1 });
    expect(decisionOf(false, 0, 3)).toEqual({ ok: false, retryAfterS: 20 });
  });

  it('name host:port of a Redis URL and never its password', () => {
    expect(redisAddress('redis://:secret@cache.internal:6380/2')).toBe('cache.internal:6380');
    expect(redisAddress('rediss://cache')).toBe('cache:6379');
  });

  it('choose memory for embedded PGlite and fail the start naming an unreachable Redis', async () => {
    const db = { engine: 'pglite' } as never;
    expect((await openSharedStore({ db })).kind).toBe('memory');
    await expect(openSharedStore({ db, redisUrl: 'redis://:pw@127.0.0.1:1' })).rejects.toThrow(
      /REDIS_URL: cannot reach Redis at 127\.0\.0\.1:1/,
    );
  });
});
