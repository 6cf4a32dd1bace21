// Pure helpers for the sensor panel's reading chart: which numeric field to draw and its time series.
import type { SensorReading } from '$lib/api/sensors';

/** The field that says most about a family's health, drawn first when the sensor reports it. */
const PRIMARY_FIELD: Record<string, string> = {
  manhole: 'tilt_deg',
  hydrant: 'pressure_mpa',
  elevator: 'fault_code',
  drain: 'level_cm',
  streetlight: 'current_a',
  gas: 'ch4_ppm',
};

/** One drawn point. */
export interface ChartPoint {
  /** Device time. */
  t: Date;
  value: number;
  /** State code after the reading. */
  state: number;
}

/** Fields with a finite number in at least one reading, in order of first appearance. */
export function numericFields(readings: readonly SensorReading[]): string[] {
  const seen = new Set<string>();
  for (const r of readings) {
    for (const [field, value] of Object.entries(r.reading ?? {})) {
      if (typeof value === 'number' && Number.isFinite(value)) seen.add(field);
    }
  }
  return [...seen];
}

/**
 * The field of the rule that fired when the readings carry it (a boolean flag's field is not drawn), else
 * the family's primary field when present, else the first numeric field; null when there is none.
 */
export function defaultField(
  family: string,
  fields: readonly string[],
  firing: string | null = null,
): string | null {
  if (firing && fields.includes(firing)) return firing;
  const primary = PRIMARY_FIELD[family];
  if (primary && fields.includes(primary)) return primary;
  return fields[0] ?? null;
}

/** The readings that carry `field`, oldest first (the API sends newest first). */
export function seriesOf(readings: readonly SensorReading[], field: string): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (const r of readings) {
    const value = r.reading?.[field];
    const t = new Date(r.ts);
    if (typeof value === 'number' && Number.isFinite(value) && !Number.isNaN(t.getTime())) {
      points.push({ t, value, state: r.state });
    }
  }
  return points.sort((a, b) => a.t.getTime() - b.t.getTime());
}
