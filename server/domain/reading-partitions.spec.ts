import { describe, expect, it } from 'vitest';
import {
  dayPartition,
  partitionOfName,
  partitionsAhead,
  partitionsPast,
  retentionCutoff,
  utcDayStart,
} from './reading-partitions';

describe('daily reading partitions', () => {
  it('name a UTC day, whatever the hour (a Shanghai morning is still the UTC day before)', () => {
    expect(dayPartition(new Date('2026-12-07T00:00:00Z'))).toEqual({
      name: 'sensor_readings_p20261207',
      from: new Date('2026-12-07T00:00:00Z'),
      to: new Date('2026-12-08T00:00:00Z'),
    });
    expect(dayPartition(new Date('2026-12-07T23:59:59.999Z')).name).toBe('sensor_readings_p20261207');
    expect(dayPartition(new Date('2026-12-08T07:30:00+08:00')).name).toBe('sensor_readings_p20261207');
    expect(utcDayStart(new Date('2026-12-31T12:00:00Z'))).toEqual(new Date('2026-12-31T00:00:00Z'));
  });

  it('read a name back, and refuse names they did not make', () => {
    expect(partitionOfName('sensor_readings_p20261231')).toEqual(dayPartition(new Date('2026-12-31T05:00Z')));
    expect(partitionOfName('sensor_readings_p20240229')?.from).toEqual(new Date('2024-02-29T00:00:00Z'));
    for (const bad of [
      'sensor_readings_default',
      'sensor_readings_p20261332',
      'sensor_readings_p20230229',
      'sensor_readings_p2026120',
      'sensor_readings_p20261207_old',
      'x_sensor_readings_p20261207',
    ]) {
      expect(partitionOfName(bad), bad).toBeNull();
    }
  });

  it('ahead: today and the next N days, across a month and year end', () => {
    const names = partitionsAhead(new Date('2026-12-30T18:00:00Z'), 3).map((p) => p.name);
    expect(names).toEqual([
      'sensor_readings_p20261230',
      'sensor_readings_p20261231',
      'sensor_readings_p20270101',
      'sensor_readings_p20270102',
    ]);
    expect(partitionsAhead(new Date('2026-12-30T18:00:00Z'), 0)).toHaveLength(1);
  });

  it('past: only days that end at or before the cutoff, oldest first, other tables untouched', () => {
    const now = new Date('2026-12-07T10:00:00Z');
    const cutoff = retentionCutoff(now, 30);
    expect(cutoff).toEqual(new Date('2026-11-07T10:00:00Z'));
    const names = [
      'sensor_readings_p20261107', // the cutoff's own day: partly kept
      'sensor_readings_p20261106', // ends 2026-11-07T00:00Z, before the cutoff
      'sensor_readings_p20261201',
      'sensor_readings_p20251001',
      'sensor_readings_default',
      'sensor_readings_archive',
    ];
    expect(partitionsPast(names, cutoff).map((p) => p.name)).toEqual([
      'sensor_readings_p20251001',
      'sensor_readings_p20261106',
    ]);
    // A cutoff exactly at midnight drops the day that ends there.
    expect(
      partitionsPast(['sensor_readings_p20261106'], new Date('2026-11-07T00:00:00Z')).map((p) => p.name),
    ).toEqual(['sensor_readings_p20261106']);
  });

  it('past: fractional retention days count in hours', () => {
    expect(retentionCutoff(new Date('2026-12-07T12:00:00Z'), 1.5)).toEqual(new Date('2026-12-06T00:00:00Z'));
  });
});
