// The default alarm rules of every sensor family, as data: what sensor_types.rules is seeded with and
// what per-sensor overrides refer to by id. Checked when this module loads.
import { parseRules, type Rule } from './rules';
import { SENSOR_FAMILY_CODES, type SensorFamily } from './sensor-state';

/** The family's default rules; their ids are what alarms and overrides refer to. */
export const DEFAULT_RULES: Readonly<Record<SensorFamily, readonly Rule[]>> = {
  manhole: [
    { id: 'manhole.open', kind: 'flag', field: 'open', severity: 2 },
    {
      id: 'manhole.tilt',
      kind: 'threshold',
      field: 'tilt_deg',
      comparison: 'above',
      on: 5,
      off: 3,
      severity: 1,
      critical: { on: 15, off: 12 },
    },
    {
      id: 'manhole.displacement',
      kind: 'threshold',
      field: 'displacement_mm',
      comparison: 'above',
      on: 10,
      off: 7,
      severity: 1,
      critical: { on: 30, off: 25 },
    },
    {
      id: 'manhole.water_level',
      kind: 'threshold',
      field: 'water_level_cm',
      comparison: 'above',
      on: 120,
      off: 100,
      severity: 1,
      critical: { on: 180, off: 160 },
    },
    { id: 'manhole.battery', kind: 'battery', field: 'battery_pct', on: 15, off: 25 },
  ],
  hydrant: [
    // GB 50974: outdoor hydrants need 0.14 MPa; below 0.10 MPa a fire cannot be fought. Pressure dips while a
    // neighbour draws water, so only a sustained drop counts.
    {
      id: 'hydrant.low_pressure',
      kind: 'threshold',
      field: 'pressure_mpa',
      comparison: 'below',
      on: 0.14,
      off: 0.16,
      severity: 1,
      critical: { on: 0.1, off: 0.12 },
      forSeconds: 300,
    },
    {
      id: 'hydrant.high_pressure',
      kind: 'threshold',
      field: 'pressure_mpa',
      comparison: 'above',
      on: 0.8,
      off: 0.75,
      severity: 1,
    },
    { id: 'hydrant.leak', kind: 'flag', field: 'leak', severity: 1 },
    { id: 'hydrant.tamper', kind: 'flag', field: 'tamper', severity: 2 },
    {
      id: 'hydrant.flow',
      kind: 'threshold',
      field: 'flow_lpm',
      comparison: 'above',
      on: 5,
      off: 2,
      severity: 1,
      critical: { on: 300, off: 250 },
    },
  ],
  elevator: [
    { id: 'elevator.trapped', kind: 'flag', field: 'trapped', severity: 2 },
    { id: 'elevator.alarm_button', kind: 'flag', field: 'alarm_button', severity: 2 },
    { id: 'elevator.fault', kind: 'code', field: 'fault_code', severity: 1 },
    { id: 'elevator.door_fault', kind: 'flag', field: 'door_fault', severity: 1 },
  ],
  drain: [
    {
      id: 'drain.level_high',
      kind: 'threshold',
      field: 'level_cm',
      comparison: 'above',
      on: 180,
      off: 160,
      severity: 1,
      critical: { on: 220, off: 200 },
    },
  ],
  streetlight: [
    { id: 'streetlight.fault', kind: 'flag', field: 'fault', severity: 1 },
    {
      id: 'streetlight.overcurrent',
      kind: 'threshold',
      field: 'current_a',
      comparison: 'above',
      on: 3,
      off: 2.5,
      severity: 2,
    },
    {
      id: 'streetlight.lamp_out',
      kind: 'threshold',
      field: 'current_a',
      comparison: 'below',
      on: 0.1,
      off: 0.2,
      severity: 1,
      when: { field: 'lamp_on', equals: true },
    },
    {
      id: 'streetlight.stuck_on',
      kind: 'threshold',
      field: 'current_a',
      comparison: 'above',
      on: 0.3,
      off: 0.2,
      severity: 1,
      when: { field: 'lamp_on', equals: false },
    },
  ],
  gas: [
    { id: 'gas.smoke', kind: 'flag', field: 'smoke', severity: 2 },
    // GB 15322: household alarms at 3-25 % of the lower explosive limit (50,000 ppm).
    {
      id: 'gas.methane',
      kind: 'threshold',
      field: 'ch4_ppm',
      comparison: 'above',
      on: 1000,
      off: 800,
      severity: 1,
      critical: { on: 5000, off: 4000 },
    },
  ],
};

// Fail at import, not at the first reading, if someone edits a default into something invalid.
for (const family of SENSOR_FAMILY_CODES) parseRules(DEFAULT_RULES[family], family);
