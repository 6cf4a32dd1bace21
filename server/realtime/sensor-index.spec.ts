import { describe, expect, it } from 'vitest';
import { stateTotals } from '../../src/lib/streams/codec';
import { tableFromRows } from './sensor-hub';
import { SensorIndex, parseBbox } from './sensor-index';

const rows = [
  { id: 1, lon: 121.4, lat: 31.2, family: 'manhole', state: 0 },
  { id: 2, lon: 121.45, lat: 31.25, family: 'manhole', state: 2 },
  { id: 5, lon: 121.47, lat: 31.3, family: 'hydrant', state: 0 },
];

describe('SensorIndex', () => {
  it('counts the city by state and keeps the counts right as states change', () => {
    const index = new SensorIndex(rows, ['manhole', 'hydrant']);
    expect(stateTotals(index.familyCounts)).toEqual([2, 0, 1, 0]);
    index.apply([1, 2, 99], [3, 2, 1]); // 99 is unknown, 2 did not change
    expect(stateTotals(index.familyCounts)).toEqual([1, 0, 1, 1]);
  });

  it('counts per family too, in the order of the families it was given', () => {
    const index = new SensorIndex(rows, ['hydrant', 'gas', 'manhole']);
    expect(index.familyCounts).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0]);
    index.apply([5, 2], [1, 0]);
    expect(index.familyCounts).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]);
  });

  it('keeps only the changes inside a viewport', () => {
    const index = new SensorIndex(rows, ['manhole', 'hydrant']);
    const cut = index.within([121.44, 31.24, 121.48, 31.31], [1, 2, 5, 7], [1, 1, 2, 0]);
    expect(Array.from(cut.ids)).toEqual([2, 5]);
    expect(Array.from(cut.states)).toEqual([1, 2]);
  });

  it('gives subscribers the same snapshot the query rows pack into, with the states since applied', () => {
    const families = ['manhole', 'hydrant'];
    const index = new SensorIndex(rows, families);
    expect(index.table(7)).toEqual(tableFromRows({ seq: 7, families, rows }));
    index.apply([5], [2]);
    const after = index.table(8);
    expect(after.seq).toBe(8);
    expect(Array.from(after.ids)).toEqual([1, 2, 5]);
    expect(Array.from(after.states)).toEqual([0, 2, 2]);
    expect(stateTotals(index.familyCounts)).toEqual([1, 0, 2, 0]);
  });

  it('knows which ids it has seen', () => {
    const index = new SensorIndex(rows, ['manhole', 'hydrant']);
    expect(index.knows(5)).toBe(true);
    expect(index.knows(3)).toBe(false);
    expect(index.knows(1000)).toBe(false);
  });
});

describe('parseBbox', () => {
  it('accepts a well-formed box and refuses anything else', () => {
    expect(parseBbox([121.4, 31.1, 121.5, 31.3])).toEqual([121.4, 31.1, 121.5, 31.3]);
    for (const bad of [
      null,
      'x',
      [1, 2, 3],
      [121.5, 31.1, 121.4, 31.3],
      [0, -91, 1, 1],
      [0, 0, NaN, 1],
      [0, 0, '1', 1],
    ])
      expect(parseBbox(bad)).toBeNull();
  });
});
