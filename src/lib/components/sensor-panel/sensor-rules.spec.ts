import { describe, expect, it } from 'vitest';
import type { RuleView } from '$lib/api/rules';
import { formFrom, isOverridden, overridesFromForm, paramValue, ruleParams } from './sensor-rules';

const tilt: RuleView = {
  id: 'manhole.tilt',
  kind: 'threshold',
  field: 'tilt_deg',
  comparison: 'above',
  on: 5,
  off: 3,
  severity: 1,
  critical: { on: 15, off: 12 },
};
const open: RuleView = { id: 'manhole.open', kind: 'flag', field: 'open', severity: 2 };
const battery: RuleView = { id: 'manhole.battery', kind: 'battery', field: 'battery_pct', on: 15, off: 25 };
const family = [open, tilt, battery];

describe('sensor rules helpers', () => {
  it('offers the numbers each kind of rule has', () => {
    expect(ruleParams(tilt)).toEqual(['on', 'off', 'critical.on', 'critical.off', 'forSeconds']);
    expect(ruleParams({ ...tilt, critical: undefined })).toEqual(['on', 'off', 'forSeconds']);
    expect(ruleParams(open)).toEqual(['forSeconds']);
    expect(ruleParams(battery)).toEqual(['on', 'off']);
    expect(paramValue(open, 'forSeconds')).toBe(0);
    expect(paramValue(tilt, 'critical.off')).toBe(12);
  });

  it('marks a parameter overridden when the overrides change it (a critical band as a whole)', () => {
    const overrides = { 'manhole.tilt': { off: 2, critical: { on: 20, off: 18 } } };
    expect(isOverridden(overrides, 'manhole.tilt', 'off')).toBe(true);
    expect(isOverridden(overrides, 'manhole.tilt', 'on')).toBe(false);
    expect(isOverridden(overrides, 'manhole.tilt', 'critical.on')).toBe(true);
    expect(isOverridden(overrides, 'manhole.open', 'forSeconds')).toBe(false);
    expect(isOverridden(null, 'manhole.tilt', 'off')).toBe(false);
  });

  it('sends only the numbers that differ from the family, keeping what the form cannot edit', () => {
    const form = formFrom(family);
    expect(overridesFromForm(family, null, form)).toBeNull();
    form['manhole.tilt'] = { ...form['manhole.tilt'], on: '4', 'critical.off': '11' };
    form['manhole.open'] = { forSeconds: '30' };
    const current = { 'manhole.battery': { enabled: false } };
    expect(overridesFromForm(family, current, form)).toEqual({
      'manhole.open': { forSeconds: 30 },
      'manhole.tilt': { on: 4, critical: { on: 15, off: 11 } },
      'manhole.battery': { enabled: false },
    });
  });

  it('takes an empty input as the family value and sends text that is not a number as it is', () => {
    const form = formFrom(family);
    form['manhole.tilt'] = { ...form['manhole.tilt'], on: '', off: 'abc' };
    expect(overridesFromForm(family, null, form)).toEqual({ 'manhole.tilt': { off: 'abc' } });
  });
});
