// The rule-override service with the repository and the ingest cache faked: nothing is stored or
// forgotten unless the body passes, and the answer shows what ingest will evaluate.
import { describe, expect, it, vi } from 'vitest';
import type { StoredSensorRules } from '../db/repositories/rule-overrides.repository';
import { ruleBuilder } from '../ingest/runtime';
import type { Logger } from '../log';
import { ruleOverrideService, type RuleOverrideServiceDeps } from './rule-override.service';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = new Date('2026-03-02T08:00:00Z');
const officer = { id: 7, role: 'officer' };

function setup(stored: StoredSensorRules | null) {
  let current = stored;
  const replaceOverrides = vi.fn<RuleOverrideServiceDeps['repo']['replaceOverrides']>(
    async (_id, overrides, _actor, unchanged) => {
      if (!current) return false;
      if (!unchanged(current.overrides)) current = { ...current, overrides };
      return true;
    },
  );
  const repo: RuleOverrideServiceDeps['repo'] = {
    sensorRules: async () => current,
    replaceOverrides,
  };
  const invalidate = vi.fn();
  const service = ruleOverrideService({
    repo,
    buildRules: ruleBuilder(quiet),
    sensors: { invalidate },
    log: quiet,
  });
  return { service, replaceOverrides, invalidate };
}

const manhole = (over: Partial<StoredSensorRules> = {}): StoredSensorRules => ({
  sensorId: 5,
  code: 'MH-000005',
  family: 'manhole',
  familyRules: [],
  overrides: null,
  lastChange: null,
  ...over,
});

describe('rule override service', () => {
  it('shows the family defaults, the overrides and the rules ingest evaluates', async () => {
    const { service } = setup(manhole({ overrides: { 'manhole.tilt': { on: 4, off: 2 } } }));
    const r = await service.rules(5);
    if (!r.ok) throw new Error(r.reason);
    expect(r.rules.familyRules.find((x) => x.id === 'manhole.tilt')).toMatchObject({ on: 5, off: 3 });
    expect(r.rules.effective.find((x) => x.id === 'manhole.tilt')).toMatchObject({ on: 4, off: 2 });
    expect(r.rules.overridesError).toBeNull();
  });

  it('says when stored overrides do not apply, and shows the family rules as effective (as ingest does)', async () => {
    const { service } = setup(manhole({ overrides: { 'manhole.smell': { on: 1 } } }));
    const r = await service.rules(5);
    if (!r.ok) throw new Error(r.reason);
    expect(r.rules.overridesError).toMatch(/unknown rule "manhole.smell"/);
    expect(r.rules.effective).toEqual(r.rules.familyRules);
  });

  it('stores a valid change and makes ingest forget the sensor', async () => {
    const { service, replaceOverrides, invalidate } = setup(manhole());
    const r = await service.replace(5, { 'manhole.tilt': { on: 4, off: 2 } }, officer, T0);
    expect(r.ok).toBe(true);
    expect(replaceOverrides).toHaveBeenCalledWith(
      5,
      { 'manhole.tilt': { on: 4, off: 2 } },
      { userId: 7, role: 'officer', at: T0 },
      expect.any(Function),
    );
    expect(invalidate).toHaveBeenCalledWith(['MH-000005']);
  });

  it('stores nothing and forgets nothing for a refused body or an unknown sensor', async () => {
    const { service, replaceOverrides, invalidate } = setup(manhole());
    expect(await service.replace(5, { 'manhole.tilt': { on: 5, off: 9 } }, officer, T0)).toMatchObject({
      ok: false,
      reason: 'invalid',
      path: 'manhole.tilt.off',
    });
    const missing = setup(null);
    expect(await missing.service.replace(9, null, officer, T0)).toEqual({ ok: false, reason: 'not_found' });
    expect(replaceOverrides).not.toHaveBeenCalled();
    expect(invalidate).not.toHaveBeenCalled();
  });

  it('refuses a sensor whose family this build has no rules for', async () => {
    const { service } = setup(manhole({ family: 'parking' }));
    expect(await service.replace(5, null, officer, T0)).toEqual({
      ok: false,
      reason: 'unknown_family',
      family: 'parking',
    });
  });
});
