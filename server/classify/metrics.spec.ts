import { describe, expect, it } from 'vitest';
import { evaluate, stratifiedSplit } from './metrics';

describe('evaluate', () => {
  it('matches figures worked out by hand', () => {
    // a: 3 true, predicted a,a,b → tp 2; b: 2 true, predicted b,a → tp 1; c: 1 true, predicted null.
    // Predicted counts: a 3, b 2. a: P 2/3 R 2/3; b: P 1/2 R 1/2; c: P 0 R 0.
    const truth = ['a', 'a', 'a', 'b', 'b', 'c'];
    const predicted = ['a', 'a', 'b', 'b', 'a', null];
    const r = evaluate(truth, predicted);
    expect(r.n).toBe(6);
    expect(r.accuracy).toBeCloseTo(3 / 6, 12);
    const [a, b, c] = r.perClass;
    expect(a).toMatchObject({ label: 'a', support: 3 });
    expect(a.precision).toBeCloseTo(2 / 3, 12);
    expect(a.recall).toBeCloseTo(2 / 3, 12);
    expect(a.f1).toBeCloseTo(2 / 3, 12);
    expect(b.f1).toBeCloseTo(1 / 2, 12);
    expect(c).toMatchObject({ label: 'c', precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.macroF1).toBeCloseTo((2 / 3 + 1 / 2 + 0) / 3, 12);
  });

  it('averages over the labels it is given, also ones absent from the truth', () => {
    const r = evaluate(['x', 'x'], ['x', 'y'], ['x', 'y']);
    expect(r.perClass.map((c) => c.label)).toEqual(['x', 'y']);
    // x: P 1 R 1/2 → F1 2/3; y: never true, predicted once → P 0, F1 0.
    expect(r.macroF1).toBeCloseTo(1 / 3, 12);
  });

  it('refuses mismatched lengths', () => {
    expect(() => evaluate(['a'], [])).toThrow(/1 true labels but 0 predictions/);
  });
});

describe('stratifiedSplit', () => {
  it('holds out every fifth item of each class, deterministically', () => {
    const labels = [...Array(10).fill('a'), ...Array(5).fill('b'), 'c'];
    const { train, test } = stratifiedSplit(labels, 0.2);
    expect(test).toEqual([4, 9, 14]);
    expect(train).toHaveLength(13);
    expect(stratifiedSplit(labels, 0.2)).toEqual({ train, test });
  });
});
