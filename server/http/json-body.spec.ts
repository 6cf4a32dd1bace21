import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { controlCharPath, isJsonType, readJson } from './json-body';

const body = z.object({ text: z.string(), items: z.array(z.object({ note: z.string() })).optional() });

const request = (text: string, type: string | null = 'application/json') =>
  new Request('http://city.example/api/x', {
    method: 'POST',
    headers: type ? { 'content-type': type } : {},
    body: text,
  });

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return err as { status: number; body: { message: string } };
  }
  throw new Error('expected a refusal');
}

describe('reading a JSON body', () => {
  it('takes application/json (with a charset) and +json types only', () => {
    expect(isJsonType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonType('application/merge-patch+json')).toBe(true);
    for (const t of [null, '', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'])
      expect(isJsonType(t)).toBe(false);
  });

  it('answers 415 naming application/json for a body of another type or none', async () => {
    const r = await refusal(readJson(request('{"text":"a"}', 'text/plain'), body));
    expect(r.status).toBe(415);
    expect(r.body.message).toContain('application/json');
    expect((await refusal(readJson(request('{"text":"a"}', null), body))).status).toBe(415);
  });

  it('names the field holding a control character, keeping tab, newline and carriage return', async () => {
    const r = await refusal(
      readJson(request(JSON.stringify({ text: 'ok', items: [{ note: 'a\u0000' }] })), body),
    );
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^items\.0\.note: contains a control character/);
    await expect(readJson(request(JSON.stringify({ text: 'line\n\tnext\r\n' })), body)).resolves.toEqual({
      text: 'line\n\tnext\r\n',
    });
    expect(controlCharPath({ ['k\u001b']: 1 })).toBe('body (a key)');
    expect(controlCharPath('\u007f')).toBe('body');
  });
});
