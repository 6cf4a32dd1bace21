import { describe, expect, it } from 'vitest';
import { CHRONICALLY_LATE_UNIT, behaviourAt, unitProfile } from './unit-profiles';
import { DISTRICTS, STREETS, departmentsOf, streetOfficeOf } from '../domain/city-facts';

const codes = [
  ...DISTRICTS.flatMap((d) => departmentsOf(d).map((x) => x.code)),
  ...STREETS.map((s) => streetOfficeOf(s).code),
];

describe('unit profiles', () => {
  it('are the same for the same seed and differ between units', () => {
    expect(unitProfile('xuhui-water', 's')).toEqual(unitProfile('xuhui-water', 's'));
    const signDelays = new Set(codes.map((c) => behaviourAt(c, 's', 0).signDelayHours.toFixed(3)));
    expect(signDelays.size).toBeGreaterThan(40);
  });

  it('tell improving, slipping and chronically late units apart over a year', () => {
    const kinds = new Set(codes.map((c) => unitProfile(c, 'citynerve').kind));
    expect(kinds).toEqual(new Set(['steady', 'improving', 'slipping', 'chronically_late']));
    for (const c of codes) {
      const p = unitProfile(c, 'citynerve');
      const first = behaviourAt(c, 'citynerve', 0).lateResolveShare;
      const last = behaviourAt(c, 'citynerve', 12).lateResolveShare;
      if (p.kind === 'improving') expect(last).toBeLessThan(first);
      if (p.kind === 'slipping') expect(last).toBeGreaterThan(first);
    }
    expect(behaviourAt(CHRONICALLY_LATE_UNIT, 'citynerve', 6).lateResolveShare).toBeGreaterThan(0.25);
  });

  it('keeps shares between 0 and 1 and ratings summing to 1', () => {
    for (const c of codes)
      for (const m of [0, 5, 12]) {
        const b = behaviourAt(c, 'x', m);
        for (const v of [b.lateSignShare, b.lateResolveShare, b.returnShare, b.extensionShare]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(b.ratings[0] + b.ratings[1] + b.ratings[2]).toBeCloseTo(1, 9);
      }
  });
});
