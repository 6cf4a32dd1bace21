import { describe, expect, it } from 'vitest';
import { foreignHandshake } from './socket-origin';

describe('foreignHandshake', () => {
  it('lets the app’s own pages and origin-less clients connect', () => {
    expect(foreignHandshake({ origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' })).toBeNull();
    expect(foreignHandshake({ host: '127.0.0.1:3000' })).toBeNull();
    // Behind a TLS proxy the Host is the public name and the Origin its https form.
    expect(
      foreignHandshake({ origin: 'https://ops.district.gov.cn', host: 'ops.district.gov.cn' }),
    ).toBeNull();
  });

  it('accepts the configured public origin when the proxy rewrites Host', () => {
    const headers = { origin: 'https://ops.district.gov.cn', host: '10.0.0.5:3000' };
    expect(foreignHandshake(headers, 'https://ops.district.gov.cn/')).toBeNull();
    expect(foreignHandshake(headers)).toMatch(/may not open a live connection/);
  });

  it('refuses pages of other sites, sibling subdomains and other ports', () => {
    for (const origin of [
      'https://evil.example',
      'http://evil.127.0.0.1.nip.io:3000',
      'http://127.0.0.1:3001',
      'null',
    ])
      expect(foreignHandshake({ origin, host: '127.0.0.1:3000' }), origin).not.toBeNull();
  });
});
