import { describe, expect, it } from 'vitest';
import { formPostFromElsewhere } from './csrf';

const post = (path: string, type: string, origin?: string) => {
  const url = new URL(`http://city.example${path}`);
  const headers: Record<string, string> = { 'content-type': type };
  if (origin) headers.origin = origin;
  return [new Request(url, { method: 'POST', headers, body: 'a=1' }), url] as const;
};

describe('cross-site form check', () => {
  it('refuses a form posted to the login page from another origin or with no origin', () => {
    expect(
      formPostFromElsewhere(...post('/login', 'application/x-www-form-urlencoded', 'http://evil.example')),
    ).toBe(true);
    expect(formPostFromElsewhere(...post('/login', 'multipart/form-data; boundary=x'))).toBe(true);
  });

  it('lets the app’s own forms, JSON calls and Open311 clients through', () => {
    expect(
      formPostFromElsewhere(...post('/login', 'application/x-www-form-urlencoded', 'http://city.example')),
    ).toBe(false);
    expect(formPostFromElsewhere(...post('/api/tickets', 'application/json', 'http://evil.example'))).toBe(
      false,
    );
    expect(
      formPostFromElsewhere(...post('/open311/v2/requests.json', 'application/x-www-form-urlencoded')),
    ).toBe(false);
  });
});
