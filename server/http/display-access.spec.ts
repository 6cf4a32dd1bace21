import { describe, expect, it } from 'vitest';
import { displayAccess, displayCookieOptions } from './display-access';

describe('displayAccess', () => {
  it('lets a display read the wall, its figures and the map boundaries', () => {
    expect(displayAccess('GET', '/wall')).toBe('allow');
    expect(displayAccess('GET', '/wall/connect')).toBe('allow');
    expect(displayAccess('GET', '/api/wall/summary')).toBe('allow');
    expect(displayAccess('GET', '/api/map/boundaries')).toBe('allow');
    expect(displayAccess('HEAD', '/api/map/boundaries')).toBe('allow');
  });

  it('accepts a new token posted to /wall/connect and no other write', () => {
    expect(displayAccess('POST', '/wall/connect')).toBe('allow');
    expect(displayAccess('POST', '/api/alarms/1/ack')).toBe('forbid');
    expect(displayAccess('POST', '/api/tickets')).toBe('forbid');
    expect(displayAccess('POST', '/api/wall/summary')).toBe('forbid');
    expect(displayAccess('DELETE', '/wall/connect')).toBe('forbid');
  });

  it('refuses every other API and sends other pages back to the wall', () => {
    for (const p of ['/api/cases', '/api/hotspots', '/api/performance', '/api/allocation', '/api/sensors/1'])
      expect(displayAccess('GET', p)).toBe('forbid');
    expect(displayAccess('GET', '/open311/v2/requests.json')).toBe('forbid');
    for (const p of ['/', '/cases', '/admin', '/allocation', '/wallpaper'])
      expect(displayAccess('GET', p)).toBe('wall');
  });
});

describe('displayCookieOptions', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  it("ends with the token, or after the browsers' 400-day cap", () => {
    const soon = new Date('2026-04-01T00:00:00Z');
    expect(displayCookieOptions(soon, now, false).expires).toEqual(soon);
    const cap = displayCookieOptions(null, now, true);
    expect(cap.expires.getTime() - now.getTime()).toBe(400 * 86_400_000);
    expect(cap).toMatchObject({ httpOnly: true, secure: true, sameSite: 'lax', path: '/' });
  });
});
