// Looks a sensor up by its device code: GET /api/sensors/by-code/<code> → { id }.

export type SensorLookup =
  | { kind: 'found'; id: number }
  | { kind: 'not-found' }
  | { kind: 'invalid' }
  | { kind: 'failed'; status: number | string };

/** The server's rule for codes; checked here too so a typo gets an answer without a request. */
const CODE = /^[A-Za-z0-9._-]{1,64}$/;

export async function findSensorByCode(raw: string, fetchFn: typeof fetch = fetch): Promise<SensorLookup> {
  const code = raw.trim();
  if (!CODE.test(code)) return { kind: 'invalid' };
  try {
    const res = await fetchFn(`/api/sensors/by-code/${encodeURIComponent(code)}`, {
      headers: { accept: 'application/json' },
    });
    if (res.status === 404) return { kind: 'not-found' };
    if (res.status === 400) return { kind: 'invalid' };
    if (!res.ok) return { kind: 'failed', status: res.status };
    const body = (await res.json()) as { id?: unknown };
    return typeof body.id === 'number'
      ? { kind: 'found', id: body.id }
      : { kind: 'failed', status: 'bad JSON' };
  } catch (err) {
    return { kind: 'failed', status: err instanceof Error ? err.message : String(err) };
  }
}
