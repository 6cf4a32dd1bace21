import { beforeAll, describe, expect, it } from 'vitest';
import { authService, type AuthService } from '../../server/services/auth.service';
import { usersRepository } from '../../server/db/repositories/users.repository';
import { database, engines, resetDatabase } from './support/databases';
import { departments } from '../../server/db/schema';

describe.each(engines())('auth on %s', (engine) => {
  let auth: AuthService;
  const now = new Date('2026-11-27T09:00:00Z');

  beforeAll(async () => {
    const db = await database(engine);
    await resetDatabase(db);
    await db.orm.insert(departments).values([
      { code: 'svc', name: '区行政服务中心', nameEn: 'Service Center', kind: 'service_center' },
      {
        code: 'so-1',
        name: '天平路街道办事处',
        nameEn: 'Tianping Road Street Office',
        kind: 'street_office',
      },
    ]);
    auth = authService({ users: usersRepository(db), sessionTtlHours: 2 });
    await auth.ensureDemoAccounts('demo-password');
  });

  it('creates one demo account per role, the staff one tied to a street office', async () => {
    const accounts = await auth.ensureDemoAccounts('demo-password');
    expect(accounts.map((a) => a.role).sort()).toEqual(['admin', 'leader', 'officer', 'staff']);
    const login = await auth.login('staff', 'demo-password', now);
    expect(login.ok && login.user.departmentId).toBeGreaterThan(0);
  });

  it('signs in with the right password and resolves the session token to the user', async () => {
    const r = await auth.login('leader', 'demo-password', now);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.user.role).toBe('leader');
    expect(r.token.length).toBeGreaterThan(30);
    const user = await auth.userForToken(r.token, new Date(now.getTime() + 60_000));
    expect(user).toMatchObject({ username: 'leader', role: 'leader' });
  });

  it('refuses a wrong password and an unknown user the same way', async () => {
    expect(await auth.login('leader', 'wrong-password', now)).toEqual({
      ok: false,
      reason: 'bad_credentials',
    });
    expect(await auth.login('nobody', 'demo-password', now)).toEqual({
      ok: false,
      reason: 'bad_credentials',
    });
  });

  it('forgets an expired session', async () => {
    const r = await auth.login('officer', 'demo-password', now);
    if (!r.ok) throw new Error('login failed');
    expect(await auth.userForToken(r.token, new Date(now.getTime() + 2 * 3600_000 - 1000))).not.toBeNull();
    expect(await auth.userForToken(r.token, new Date(now.getTime() + 2 * 3600_000 + 1000))).toBeNull();
  });

  it('ends a session at logout and ignores forged tokens', async () => {
    const r = await auth.login('admin', 'demo-password', now);
    if (!r.ok) throw new Error('login failed');
    await auth.logout(r.token);
    expect(await auth.userForToken(r.token, now)).toBeNull();
    expect(await auth.userForToken('forged-token', now)).toBeNull();
    expect(await auth.userForToken('x'.repeat(5000), now)).toBeNull();
    expect(await auth.userForToken(undefined, now)).toBeNull();
  });
});
