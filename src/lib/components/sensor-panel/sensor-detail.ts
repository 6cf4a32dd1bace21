// The shape of GET /api/sensors/:id, as the sensor panel reads it.

import type { SensorDetail } from '$lib/api/sensors';

export type { SensorDetail, SensorReading } from '$lib/api/sensors';

export type SensorLoad =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'loaded'; sensor: SensorDetail }
  | { kind: 'not-found' }
  | { kind: 'failed'; status: number | string };

/** Fetches one sensor; never throws except on abort. */
export async function loadSensor(id: number, signal: AbortSignal): Promise<SensorLoad> {
  try {
    const res = await fetch(`/api/sensors/${id}`, { signal, headers: { accept: 'application/json' } });
    if (res.status === 404) return { kind: 'not-found' };
    if (!res.ok) return { kind: 'failed', status: res.status };
    return { kind: 'loaded', sensor: (await res.json()) as SensorDetail };
  } catch (err) {
    if (signal.aborted) throw err;
    return { kind: 'failed', status: err instanceof Error ? err.message : String(err) };
  }
}
