import { describe, expect, it } from 'vitest';
import { deltaScope, SCOPE_MIN_ZOOM } from './viewport';

describe('deltaScope', () => {
  it('asks for the whole city at district zoom', () => {
    expect(deltaScope([121.38, 31.1, 121.48, 31.33], 11)).toBeNull();
    expect(deltaScope([121.4, 31.2, 121.41, 31.21], SCOPE_MIN_ZOOM - 0.01)).toBeNull();
    expect(deltaScope([121.4, 31.2, 121.41, 31.21], Number.NaN)).toBeNull();
  });

  it('pads the view by half on every side and snaps outwards', () => {
    const box = deltaScope([121.432, 31.201, 121.452, 31.211], 15)!;
    const [w, s, e, n] = box;
    expect(w).toBeLessThanOrEqual(121.422);
    expect(s).toBeLessThanOrEqual(31.196);
    expect(e).toBeGreaterThanOrEqual(121.462);
    expect(n).toBeGreaterThanOrEqual(31.216);
    expect(box).toEqual([121.42, 31.19, 121.47, 31.22]);
  });

  it('keeps the same scope for a small pan', () => {
    const a = deltaScope([121.432, 31.201, 121.452, 31.211], 15);
    const b = deltaScope([121.4325, 31.2012, 121.4525, 31.2112], 15);
    expect(b).toEqual(a);
  });
});
