import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next';

const ORIGIN = 'https://ops.example.gov.cn';

describe('safeNext: where a sign-in may send the browser', () => {
  const hostile = [
    '//evil.com',
    '/\\evil.com',
    '/\\\\evil.com',
    '\\\\evil.com',
    '\\/evil.com',
    'https://evil.com',
    'http://evil.com/path',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/%5cevil.com',
    '/%5Cevil.com',
    '/%2f%2fevil.com',
    '/\t/evil.com',
    '/\n/evil.com',
    '/\r\n/evil.com',
    '\t//evil.com',
    ' //evil.com',
    '/ /evil.com',
    '/\u0000/evil.com',
    '/\u2028/evil.com',
    'evil.com',
    '',
    'x'.repeat(3000),
  ];
  it.each(hostile.map((n) => [JSON.stringify(n).slice(0, 60), n]))('%s lands on /', (_label, next) => {
    expect(safeNext(next, ORIGIN)).toBe('/');
  });

  it('lands on / without a next', () => {
    expect(safeNext(null, ORIGIN)).toBe('/');
  });

  it.each([
    ['/', '/'],
    ['/cases', '/cases'],
    ['/cases?state=open&page=2', '/cases?state=open&page=2'],
    ['/cases/C-2026-0001#timeline', '/cases/C-2026-0001#timeline'],
    ['/admin/logins?login=admin', '/admin/logins?login=admin'],
    ['/public?q=%E8%A1%97%E9%81%93', '/public?q=%E8%A1%97%E9%81%93'],
  ])('keeps the same-site path %s', (next, kept) => {
    expect(safeNext(next, ORIGIN)).toBe(kept);
  });

  it('normalises dot segments but stays on the site', () => {
    expect(safeNext('/a/../cases', ORIGIN)).toBe('/cases');
  });
});
