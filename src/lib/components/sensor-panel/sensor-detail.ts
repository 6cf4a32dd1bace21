// The shape of GET /api/sensors/:id, as the sensor panel reads it.

/** One past reading. */
export interface SensorReading {
  /** Device time (ISO). */
  ts: string;
  /** State code after this reading. */
  state: number;
  /** Family-specific values, e.g. { tilt_deg: 3.2 }. */
  reading: Record<string, number | boolean>;
}

/** One sensor with its place, state and recent readings. */
export interface SensorDetail {
  id: number;
  code: string;
  /** Family code, e.g. "manhole". */
  family: string;
  familyName: string;
  familyNameEn: string;
  /** 0 normal, 1 warning, 2 alarm, 3 offline. */
  state: number;
  districtName: string;
  districtNameEn: string;
  streetName: string;
  streetNameEn: string;
  lon: number;
  lat: number;
  /** Device time of the last reading (ISO), null before the first. */
  reportedAt: string | null;
  /** When the state last changed (ISO). */
  changedAt: string;
  reading: Record<string, number | boolean> | null;
  /** Newest first, up to 20. */
  readings: SensorReading[];
}

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
