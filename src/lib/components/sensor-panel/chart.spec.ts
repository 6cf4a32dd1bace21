import { describe, expect, it } from 'vitest';
import type { SensorReading } from '$lib/api/sensors';
import { defaultField, numericFields, seriesOf } from './chart';

const readings: SensorReading[] = [
  { ts: '2025-01-01T10:20:00Z', state: 2, reading: { tilt_deg: 14.5, open: true, battery_pct: 80 } },
  { ts: '2025-01-01T10:10:00Z', state: 0, reading: { tilt_deg: 1.2, open: false } },
  { ts: 'not a time', state: 0, reading: { tilt_deg: 3 } },
  { ts: '2025-01-01T10:00:00Z', state: 0, reading: { battery_pct: 81 } },
];

describe('reading chart helpers', () => {
  it('finds the numeric fields and ignores booleans', () => {
    expect(numericFields(readings)).toEqual(['tilt_deg', 'battery_pct']);
  });

  it("prefers the family's primary field, else the first numeric one", () => {
    expect(defaultField('manhole', ['battery_pct', 'tilt_deg'])).toBe('tilt_deg');
    expect(defaultField('unknown', ['battery_pct'])).toBe('battery_pct');
    expect(defaultField('manhole', [])).toBeNull();
  });

  it('starts on the field of the rule that fired, when the readings have it', () => {
    expect(defaultField('manhole', ['tilt_deg', 'water_level_cm'], 'water_level_cm')).toBe('water_level_cm');
    // manhole.open fires on a boolean, which is not drawn: the primary field then.
    expect(defaultField('manhole', ['battery_pct', 'tilt_deg'], 'open')).toBe('tilt_deg');
  });

  it('orders a series oldest first and skips readings without the field or a valid time', () => {
    const series = seriesOf(readings, 'tilt_deg');
    expect(series.map((p) => [p.value, p.state])).toEqual([
      [1.2, 0],
      [14.5, 2],
    ]);
  });
});
