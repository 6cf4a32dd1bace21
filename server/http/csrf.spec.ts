import { describe, expect, it } from 'vitest';
import { crossSiteRefusal } from './csrf';

const req = (path: string, opts: { type?: string; origin?: string; method?: string; site?: string } = {}) => {
  const url = new URL(`http://city.example${path}`);
  const headers: Record<string, string> = {};
  if (opts.type) headers['content-type'] = opts.type;
  if (opts.origin) headers.origin = opts.origin;
  if (opts.site) headers['sec-fetch-site'] = opts.site;
  const method = opts.method ?? 'POST';
  return [new Request(url, { method, headers, body: method === 'GET' ? undefined : 'a=1' }), url] as const;
};

const FORM = 'application/x-www-form-urlencoded';

describe('cross-site check', () => {
  it('refuses a form posted to the login page from another origin or with no origin', () => {
    expect(crossSiteRefusal(...req('/login', { type: FORM, origin: 'http://evil.example' }))).toMatch(
      /origin/,
    );
    expect(crossSiteRefusal(...req('/login', { type: 'multipart/form-data; boundary=x' }))).toMatch(/Origin/);
  });

  it('refuses a foreign Origin on every state-changing method and body type, even with no Content-Type', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      for (const type of [undefined, 'application/json', 'text/plain', FORM])
        expect(
          crossSiteRefusal(...req('/api/tickets', { method, type, origin: 'http://evil.example' })),
        ).not.toBe(null);
    expect(crossSiteRefusal(...req('/api/tickets', { origin: 'null' }))).not.toBe(null);
    // Same host, other port or scheme: another origin.
    expect(crossSiteRefusal(...req('/api/tickets', { origin: 'http://city.example:8080' }))).not.toBe(null);
    expect(crossSiteRefusal(...req('/api/tickets', { origin: 'https://city.example' }))).not.toBe(null);
  });

  it('refuses an Origin-less request that Fetch Metadata marks as cross-site', () => {
    expect(
      crossSiteRefusal(...req('/api/tickets', { type: 'application/json', site: 'cross-site' })),
    ).not.toBe(null);
  });

  it('lets the app’s own calls, reads, Open311 clients and ingest gateways through', () => {
    expect(crossSiteRefusal(...req('/login', { type: FORM, origin: 'http://city.example' }))).toBe(null);
    expect(
      crossSiteRefusal(...req('/api/tickets', { type: 'application/json', origin: 'http://city.example' })),
    ).toBe(null);
    expect(crossSiteRefusal(...req('/api/cases', { method: 'GET', origin: 'http://evil.example' }))).toBe(
      null,
    );
    // A server-side client with no Origin (curl, a script) calling a JSON endpoint.
    expect(crossSiteRefusal(...req('/api/tickets', { type: 'application/json' }))).toBe(null);
    expect(
      crossSiteRefusal(...req('/open311/v2/requests.json', { type: FORM, origin: 'http://evil.example' })),
    ).toBe(null);
    expect(crossSiteRefusal(...req('/open311/v2/requests.json', { type: FORM }))).toBe(null);
    expect(
      crossSiteRefusal(
        ...req('/api/ingest/readings', { type: 'application/x-ndjson', origin: 'http://gw.example' }),
      ),
    ).toBe(null);
  });
});
