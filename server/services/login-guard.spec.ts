import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { loginGuardSettingsOf } from './login-guard';

describe('sign-in throttling settings', () => {
  it('default to 5 free failures and 10 per login name, 20 and 100 per address, 15 minutes, 1 s back-off', () => {
    expect(loginGuardSettingsOf(loadConfig({}))).toEqual({
      account: { freeFailures: 5, limit: 10, windowMs: 900_000, lockMs: 900_000, backoffBaseMs: 1000 },
      address: { freeFailures: 20, limit: 100, windowMs: 900_000, lockMs: 900_000, backoffBaseMs: 1000 },
      auditRetentionDays: 90,
      knownAddressDays: 30,
    });
  });

  it('take short windows for tests, and never remember addresses longer than the audit', () => {
    const s = loginGuardSettingsOf(
      loadConfig({ LOGIN_WINDOW_S: '60', LOGIN_LOCK_S: '5', LOGIN_AUDIT_RETENTION_DAYS: '7' }),
    );
    expect(s.account.windowMs).toBe(60_000);
    expect(s.address.lockMs).toBe(5000);
    expect(s.knownAddressDays).toBe(7);
  });

  it('stop the start with a message naming a bad value', () => {
    expect(() => loadConfig({ LOGIN_ACCOUNT_LIMIT: '3', LOGIN_ACCOUNT_FREE_FAILURES: '5' })).toThrow(
      /LOGIN_ACCOUNT_LIMIT: must be greater than LOGIN_ACCOUNT_FREE_FAILURES/,
    );
    expect(() => loadConfig({ LOGIN_ADDRESS_LIMIT: '20' })).toThrow(/LOGIN_ADDRESS_LIMIT/);
    expect(() => loadConfig({ LOGIN_LOCK_S: 'forever' })).toThrow(/LOGIN_LOCK_S/);
    expect(() => loadConfig({ LOGIN_BACKOFF_BASE_MS: '0' })).toThrow(/LOGIN_BACKOFF_BASE_MS/);
  });
});
