import { describe, expect, it } from 'vitest';
import {
  binSensors,
  cellOf,
  cellSummary,
  gridFor,
  NO_CELL,
  offsetBounds,
  rowsInBox,
  updateBins,
} from './binning';

/** Random-ish sensors in a 0.1° square: deterministic, so failures reproduce. */
function city(n: number, families = 3) {
  const offsets = new Float32Array(2 * n);
  const states = new Uint8Array(n);
  const familyIndex = new Uint8Array(n);
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < n; i++) {
    offsets[2 * i] = rnd() * 0.1;
    offsets[2 * i + 1] = rnd() * 0.1;
    states[i] = rnd() < 0.9 ? 0 : 1 + Math.floor(rnd() * 3);
    familyIndex[i] = i % families;
  }
  return { offsets, states, familyIndex };
}

const ALL_FAMILIES = new Uint8Array(256).fill(1);
const ALL_STATES = Uint8Array.from({ length: 256 }, (_, s) => (s < 4 ? 1 : 0));
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

describe('binSensors', () => {
  it('puts every sensor in exactly one cell: the counts add up per state and overall', () => {
    const input = city(5_000);
    const grid = gridFor(offsetBounds(input.offsets), 0.01, 0.01);
    const bins = binSensors(input, grid, ALL_FAMILIES);
    expect(sum(bins.totals)).toBe(5_000);
    expect(sum(bins.stateCounts)).toBe(5_000);
    for (let s = 0; s < 4; s++) {
      let inCells = 0;
      for (let c = 0; c < bins.totals.length; c++) inCells += bins.stateCounts[4 * c + s];
      expect(inCells).toBe(input.states.filter((x) => x === s).length);
    }
    // The spatial index holds every row once, each under the cell it was binned into.
    expect(bins.cellRows.length).toBe(5_000);
    for (const c of bins.occupied) {
      for (let k = bins.cellStart[c]; k < bins.cellStart[c + 1]; k++)
        expect(bins.rowCell[bins.cellRows[k]]).toBe(c);
    }
    expect(bins.maxTotal).toBe(Math.max(...bins.totals));
  });

  it('keeps sensors on the far edge of the box inside the grid', () => {
    const input = {
      offsets: Float32Array.of(0, 0, 0.1, 0.1),
      states: Uint8Array.of(0, 0),
      familyIndex: Uint8Array.of(0, 0),
    };
    const grid = gridFor(offsetBounds(input.offsets), 0.05, 0.05);
    const bins = binSensors(input, grid, ALL_FAMILIES);
    expect(sum(bins.totals)).toBe(2);
    expect(cellOf(grid, 0.1, 0.1)).toBe(bins.rowCell[1]);
  });

  it('leaves out hidden families entirely', () => {
    const input = city(3_000, 3);
    const families = new Uint8Array(256);
    families[0] = families[2] = 1;
    const bins = binSensors(input, gridFor(offsetBounds(input.offsets), 0.02, 0.02), families);
    expect(sum(bins.totals)).toBe(2_000);
    expect(bins.rowCell[1]).toBe(NO_CELL);
    expect(bins.cellRows.length).toBe(2_000);
  });
});

describe('cellSummary', () => {
  it('reports the worst shown state: alarm over warning over offline', () => {
    const input = {
      offsets: Float32Array.of(0.001, 0.001, 0.002, 0.002, 0.003, 0.003, 0.004, 0.004),
      states: Uint8Array.of(0, 3, 1, 2),
      familyIndex: new Uint8Array(4),
    };
    const bins = binSensors(input, gridFor([0, 0, 0.01, 0.01], 0.01, 0.01), ALL_FAMILIES);
    expect(cellSummary(bins, 0, ALL_STATES)).toEqual({ shown: 4, abnormal: 3, worst: 2 });
    const noAlarm = ALL_STATES.slice();
    noAlarm[2] = 0;
    expect(cellSummary(bins, 0, noAlarm)).toEqual({ shown: 3, abnormal: 2, worst: 1 });
    const onlyOffline = Uint8Array.of(1, 0, 0, 1);
    expect(cellSummary(bins, 0, onlyOffline)).toEqual({ shown: 2, abnormal: 1, worst: 3 });
  });
});

describe('updateBins', () => {
  it('after a delta, changes only the cells of the changed sensors and matches a full re-bin', () => {
    const input = city(10_000);
    const grid = gridFor(offsetBounds(input.offsets), 0.01, 0.01);
    const bins = binSensors(input, grid, ALL_FAMILIES);
    const before = bins.stateCounts.slice();
    const totalsBefore = bins.totals;
    const changedRows = [5, 77, 4_000];
    for (const r of changedRows) input.states[r] = (input.states[r] + 2) % 4;
    const touched = updateBins(bins, input.states);
    const expectedCells = [...new Set(changedRows.map((r) => bins.rowCell[r]))].sort((a, b) => a - b);
    expect(Array.from(touched)).toEqual(expectedCells);
    for (let c = 0; c < bins.totals.length; c++) {
      if (expectedCells.includes(c)) continue;
      expect(Array.from(bins.stateCounts.subarray(4 * c, 4 * c + 4))).toEqual(
        Array.from(before.subarray(4 * c, 4 * c + 4)),
      );
    }
    expect(bins.totals).toBe(totalsBefore); // membership and density do not move with states
    expect(Array.from(bins.stateCounts)).toEqual(
      Array.from(binSensors(input, grid, ALL_FAMILIES).stateCounts),
    );
  });

  it('returns nothing when no state changed', () => {
    const input = city(1_000);
    const bins = binSensors(input, gridFor(offsetBounds(input.offsets), 0.01, 0.01), ALL_FAMILIES);
    expect(updateBins(bins, input.states).length).toBe(0);
  });
});

describe('rowsInBox', () => {
  it('returns exactly the shown rows of the cells the box touches', () => {
    const input = city(4_000);
    const grid = gridFor(offsetBounds(input.offsets), 0.01, 0.01);
    const bins = binSensors(input, grid, ALL_FAMILIES);
    const normalOnly = new Uint8Array(256);
    normalOnly[0] = 1;
    const box: [number, number, number, number] = [0.031, 0.042, 0.058, 0.069];
    const rows = Array.from(rowsInBox(bins, input.states, box, normalOnly)).sort((a, b) => a - b);
    const expected: number[] = [];
    for (let i = 0; i < 4_000; i++) {
      const x = Math.floor(input.offsets[2 * i] / 0.01);
      const y = Math.floor(input.offsets[2 * i + 1] / 0.01);
      if (x >= 3 && x <= 5 && y >= 4 && y <= 6 && input.states[i] === 0) expected.push(i);
    }
    expect(rows).toEqual(expected);
    expect(rowsInBox(bins, input.states, [1, 1, 2, 2], normalOnly).length).toBe(0);
  });
});
