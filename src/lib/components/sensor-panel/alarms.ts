// The sensor panel's calls to the alarm endpoints (contracts in $lib/api/alarms). Never throw except on
// abort: every outcome is a value the panel can show.
import type { AckResponse, AlarmView, SensorAlarmsResponse } from '$lib/api/alarms';

export type AlarmsLoad =
  | { kind: 'loading' }
  | { kind: 'loaded'; alarms: AlarmView[] }
  /** The endpoint is not deployed (404): the panel says so quietly. */
  | { kind: 'unavailable' }
  | { kind: 'failed'; status: number | string };

export type AckResult =
  | { ok: true; alarm: AlarmView }
  | { ok: false; reason: 'conflict' | 'forbidden' | 'failed'; message: string };

/** GET /api/sensors/:id/alarms. */
export async function loadAlarms(sensorId: number, signal: AbortSignal): Promise<AlarmsLoad> {
  try {
    const res = await fetch(`/api/sensors/${sensorId}/alarms`, {
      signal,
      headers: { accept: 'application/json' },
    });
    if (res.status === 404) return { kind: 'unavailable' };
    if (!res.ok) return { kind: 'failed', status: res.status };
    const body = (await res.json()) as SensorAlarmsResponse;
    return { kind: 'loaded', alarms: Array.isArray(body.alarms) ? body.alarms : [] };
  } catch (err) {
    if (signal.aborted) throw err;
    return { kind: 'failed', status: err instanceof Error ? err.message : String(err) };
  }
}

/** POST /api/alarms/:id/ack. */
export async function acknowledgeAlarm(alarmId: number): Promise<AckResult> {
  try {
    const res = await fetch(`/api/alarms/${alarmId}/ack`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    if (res.ok) return { ok: true, alarm: ((await res.json()) as AckResponse).alarm };
    const message = await errorMessage(res);
    if (res.status === 409) return { ok: false, reason: 'conflict', message };
    if (res.status === 401 || res.status === 403) return { ok: false, reason: 'forbidden', message };
    return { ok: false, reason: 'failed', message };
  } catch (err) {
    return { ok: false, reason: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}

/** SvelteKit's error JSON is { message }; anything else falls back to the status. */
async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // not JSON
  }
  return `HTTP ${res.status}`;
}
