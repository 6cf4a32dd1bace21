import { describe, expect, it } from 'vitest';
import { findSensorByCode } from './find-sensor';

const reply = (status: number, body: unknown) =>
  (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

describe('findSensorByCode', () => {
  it('returns the id the server finds', async () => {
    expect(await findSensorByCode(' MH-000123 ', reply(200, { id: 42 }))).toEqual({ kind: 'found', id: 42 });
  });

  it('says not found on 404 and rejects bad codes without asking', async () => {
    expect(await findSensorByCode('MH-9', reply(404, { message: 'no' }))).toEqual({ kind: 'not-found' });
    const never = (() => {
      throw new Error('no request expected');
    }) as unknown as typeof fetch;
    expect(await findSensorByCode('MH 1/2', never)).toEqual({ kind: 'invalid' });
    expect(await findSensorByCode('', never)).toEqual({ kind: 'invalid' });
  });

  it('reports other failures with their status', async () => {
    expect(await findSensorByCode('MH-1', reply(500, {}))).toEqual({ kind: 'failed', status: 500 });
  });
});
