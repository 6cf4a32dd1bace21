import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAM_MAX_LENGTH, MAX_PARAMS, queryProblem } from './edge-params';

const q = (s: string) => queryProblem(new URLSearchParams(s));

describe('the query string at the edge', () => {
  it('lets ordinary filters and a search up to the cap through', () => {
    expect(q('state=received,dispatched&q=路灯&limit=50')).toBeNull();
    expect(q(`q=${'x'.repeat(DEFAULT_PARAM_MAX_LENGTH)}`)).toBeNull();
    // Open311 clients may list up to 1000 request ids.
    expect(
      q(`service_request_id=${Array.from({ length: 1000 }, (_, i) => `GD-20261127-${i}`).join(',')}`),
    ).toBeNull();
  });

  it('names a parameter that is too long', () => {
    expect(q(`days=${'9'.repeat(10_000)}`)).toEqual({
      param: 'days',
      message: 'query parameter "days" is longer than 200 characters (10000)',
    });
    expect(q(`q=${'x'.repeat(DEFAULT_PARAM_MAX_LENGTH + 1)}`)?.param).toBe('q');
  });

  it('names a parameter holding NUL or another control character, tab and newline included', () => {
    for (const c of ['%00', '%01', '%09', '%0A', '%1B', '%7F'])
      expect(q(`a=1&category=x${c}`)?.message).toBe(
        'query parameter "category" contains a control character (U+0000–U+001F or U+007F)',
      );
    expect(q('%00x=1')?.message).toMatch(/name "\?x" contains a control character/);
  });

  it('refuses more parameters than any endpoint takes', () => {
    const many = Array.from({ length: MAX_PARAMS + 1 }, (_, i) => `p${i}=1`).join('&');
    expect(q(many)?.message).toBe(`more than ${MAX_PARAMS} query parameters`);
  });
});
