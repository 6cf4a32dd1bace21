import { describe, expect, it } from 'vitest';
import { createRandom } from './random';
import {
  classifyReading,
  faultReading,
  isOffline,
  normalReading,
  readingError,
  SENSOR_FAMILY_CODES,
  sensorStateAt,
  THRESHOLDS,
  type ManholeReading,
  type HydrantReading,
  type ElevatorReading,
  type StreetlightReading,
} from './sensor-state';

const manhole = (patch: Partial<ManholeReading> = {}): ManholeReading => ({
  tilt_deg: 0.5,
  displacement_mm: 1,
  open: false,
  water_level_cm: 20,
  battery_pct: 80,
  ...patch,
});
const hydrant = (patch: Partial<HydrantReading> = {}): HydrantReading => ({
  pressure_mpa: 0.3,
  leak: false,
  tamper: false,
  flow_lpm: 0,
  ...patch,
});
const elevator = (patch: Partial<ElevatorReading> = {}): ElevatorReading => ({
  fault_code: 0,
  trapped: false,
  door_fault: false,
  running: true,
  alarm_button: false,
  ...patch,
});
const light = (patch: Partial<StreetlightReading> = {}): StreetlightReading => ({
  lamp_on: true,
  current_a: 0.7,
  fault: false,
  ...patch,
});

describe('classifyReading: manhole cover', () => {
  const t = THRESHOLDS.manhole;
  it('is normal when seated, dry and charged', () => expect(classifyReading('manhole', manhole())).toBe(0));
  it('warns from the tilt threshold and alarms from the alarm threshold', () => {
    expect(classifyReading('manhole', manhole({ tilt_deg: t.tiltWarnDeg - 0.01 }))).toBe(0);
    expect(classifyReading('manhole', manhole({ tilt_deg: t.tiltWarnDeg }))).toBe(1);
    expect(classifyReading('manhole', manhole({ tilt_deg: t.tiltAlarmDeg - 0.01 }))).toBe(1);
    expect(classifyReading('manhole', manhole({ tilt_deg: t.tiltAlarmDeg }))).toBe(2);
  });
  it('treats displacement the same way', () => {
    expect(classifyReading('manhole', manhole({ displacement_mm: t.displacementWarnMm - 0.1 }))).toBe(0);
    expect(classifyReading('manhole', manhole({ displacement_mm: t.displacementWarnMm }))).toBe(1);
    expect(classifyReading('manhole', manhole({ displacement_mm: t.displacementAlarmMm }))).toBe(2);
  });
  it('warns and alarms on standing water', () => {
    expect(classifyReading('manhole', manhole({ water_level_cm: t.waterWarnCm - 1 }))).toBe(0);
    expect(classifyReading('manhole', manhole({ water_level_cm: t.waterWarnCm }))).toBe(1);
    expect(classifyReading('manhole', manhole({ water_level_cm: t.waterAlarmCm }))).toBe(2);
  });
  it('alarms on an open cover and warns on a low battery only below the threshold', () => {
    expect(classifyReading('manhole', manhole({ open: true }))).toBe(2);
    expect(classifyReading('manhole', manhole({ battery_pct: t.batteryWarnPct }))).toBe(0);
    expect(classifyReading('manhole', manhole({ battery_pct: t.batteryWarnPct - 1 }))).toBe(1);
  });
  it('reports the worst of several problems', () => {
    expect(classifyReading('manhole', manhole({ battery_pct: 5, tilt_deg: 20 }))).toBe(2);
  });
});

describe('classifyReading: hydrant', () => {
  const t = THRESHOLDS.hydrant;
  it('is normal at network pressure', () => expect(classifyReading('hydrant', hydrant())).toBe(0));
  it('warns below the code minimum and alarms below the firefighting minimum', () => {
    expect(classifyReading('hydrant', hydrant({ pressure_mpa: t.pressureWarnMpa }))).toBe(0);
    expect(classifyReading('hydrant', hydrant({ pressure_mpa: t.pressureWarnMpa - 0.001 }))).toBe(1);
    expect(classifyReading('hydrant', hydrant({ pressure_mpa: t.pressureAlarmMpa }))).toBe(1);
    expect(classifyReading('hydrant', hydrant({ pressure_mpa: t.pressureAlarmMpa - 0.001 }))).toBe(2);
  });
  it('warns on over-pressure', () => {
    expect(classifyReading('hydrant', hydrant({ pressure_mpa: t.pressureHighWarnMpa - 0.001 }))).toBe(0);
    expect(classifyReading('hydrant', hydrant({ pressure_mpa: t.pressureHighWarnMpa }))).toBe(1);
  });
  it('grades flow, leaks and tampering', () => {
    expect(classifyReading('hydrant', hydrant({ flow_lpm: t.flowWarnLpm - 0.1 }))).toBe(0);
    expect(classifyReading('hydrant', hydrant({ flow_lpm: t.flowWarnLpm }))).toBe(1);
    expect(classifyReading('hydrant', hydrant({ flow_lpm: t.flowAlarmLpm }))).toBe(2);
    expect(classifyReading('hydrant', hydrant({ leak: true }))).toBe(1);
    expect(classifyReading('hydrant', hydrant({ tamper: true }))).toBe(2);
  });
});

describe('classifyReading: elevator', () => {
  it('is normal running or idle', () => {
    expect(classifyReading('elevator', elevator())).toBe(0);
    expect(classifyReading('elevator', elevator({ running: false }))).toBe(0);
  });
  it('warns on a fault code or a door fault', () => {
    expect(classifyReading('elevator', elevator({ fault_code: 35 }))).toBe(1);
    expect(classifyReading('elevator', elevator({ door_fault: true }))).toBe(1);
  });
  it('alarms on trapped passengers or the alarm button', () => {
    expect(classifyReading('elevator', elevator({ trapped: true, fault_code: 12 }))).toBe(2);
    expect(classifyReading('elevator', elevator({ alarm_button: true }))).toBe(2);
  });
});

describe('classifyReading: drain level', () => {
  const t = THRESHOLDS.drain;
  it('grades the level at its thresholds', () => {
    expect(classifyReading('drain', { level_cm: t.levelWarnCm - 1 })).toBe(0);
    expect(classifyReading('drain', { level_cm: t.levelWarnCm })).toBe(1);
    expect(classifyReading('drain', { level_cm: t.levelAlarmCm - 1 })).toBe(1);
    expect(classifyReading('drain', { level_cm: t.levelAlarmCm })).toBe(2);
  });
});

describe('classifyReading: street light', () => {
  const t = THRESHOLDS.streetlight;
  it('is normal on at night and off by day', () => {
    expect(classifyReading('streetlight', light())).toBe(0);
    expect(classifyReading('streetlight', light({ lamp_on: false, current_a: 0.02 }))).toBe(0);
  });
  it('warns on a lamp that is out or stuck on, and on a controller fault', () => {
    expect(classifyReading('streetlight', light({ current_a: t.lampOutBelowA }))).toBe(0);
    expect(classifyReading('streetlight', light({ current_a: t.lampOutBelowA - 0.01 }))).toBe(1);
    expect(classifyReading('streetlight', light({ lamp_on: false, current_a: t.offLeakA - 0.01 }))).toBe(0);
    expect(classifyReading('streetlight', light({ lamp_on: false, current_a: t.offLeakA }))).toBe(1);
    expect(classifyReading('streetlight', light({ fault: true }))).toBe(1);
  });
  it('alarms on over-current whether on or off', () => {
    expect(classifyReading('streetlight', light({ current_a: t.currentAlarmA - 0.01 }))).toBe(0);
    expect(classifyReading('streetlight', light({ current_a: t.currentAlarmA }))).toBe(2);
    expect(classifyReading('streetlight', light({ lamp_on: false, current_a: t.currentAlarmA }))).toBe(2);
  });
});

describe('classifyReading: gas and smoke', () => {
  const t = THRESHOLDS.gas;
  it('grades methane and alarms on smoke', () => {
    expect(classifyReading('gas', { ch4_ppm: t.ch4WarnPpm - 1, smoke: false })).toBe(0);
    expect(classifyReading('gas', { ch4_ppm: t.ch4WarnPpm, smoke: false })).toBe(1);
    expect(classifyReading('gas', { ch4_ppm: t.ch4AlarmPpm - 1, smoke: false })).toBe(1);
    expect(classifyReading('gas', { ch4_ppm: t.ch4AlarmPpm, smoke: false })).toBe(2);
    expect(classifyReading('gas', { ch4_ppm: 0, smoke: true })).toBe(2);
  });
});

it('rejects an unknown family', () => {
  expect(() => classifyReading('toaster' as never, {} as never)).toThrow(/unknown sensor family/);
});

describe('isOffline / sensorStateAt', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  const ago = (s: number) => new Date(now.getTime() - s * 1000);
  it('goes offline only after the heartbeat window has fully passed', () => {
    expect(isOffline(ago(900), now, 900)).toBe(false);
    expect(isOffline(ago(901), now, 900)).toBe(true);
    expect(isOffline(null, now, 900)).toBe(true);
  });
  it('overrides the reading state with 3 when offline', () => {
    expect(sensorStateAt(2, ago(10), now, 900)).toBe(2);
    expect(sensorStateAt(0, ago(1000), now, 900)).toBe(3);
  });
});

describe('readingError', () => {
  it('accepts generated readings and names the first bad field', () => {
    const r = createRandom('shape');
    for (const family of SENSOR_FAMILY_CODES)
      expect(readingError(family, normalReading(family, r))).toBeNull();
    expect(readingError('drain', { level_cm: 'high' })).toBe('level_cm must be a finite number');
    expect(readingError('gas', { ch4_ppm: 3 })).toBe('smoke must be a boolean');
    expect(readingError('gas', null)).toBe('reading must be an object');
    expect(readingError('toaster' as never, {})).toMatch(/unknown/);
  });
});

describe('generated readings', () => {
  it('are normal when healthy and exactly the requested severity when faulty, for every family', () => {
    const r = createRandom('readings');
    for (const family of SENSOR_FAMILY_CODES) {
      for (const night of [false, true]) {
        for (let i = 0; i < 300; i++) {
          expect(classifyReading(family, normalReading(family, r, { night }))).toBe(0);
          expect(classifyReading(family, faultReading(family, 1, r, { night }))).toBe(1);
          expect(classifyReading(family, faultReading(family, 2, r, { night }))).toBe(2);
        }
      }
    }
  });

  it('switch street lights on at night only', () => {
    const r = createRandom('lights');
    expect(normalReading('streetlight', r, { night: true }).lamp_on).toBe(true);
    expect(normalReading('streetlight', r, { night: false }).lamp_on).toBe(false);
  });
});
