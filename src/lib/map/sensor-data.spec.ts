import { describe, expect, it } from 'vitest';
import { fromSnapshot } from '$lib/streams/sensor-table';
import { STATE_RGBA } from './colors';
import {
  abnormalPoints,
  familyMask,
  filteredCounts,
  filteredServerCounts,
  pickSensor,
  stateMask,
  SHOW_ALL,
} from './sensor-data';

function table(states: number[], families: number[] = states.map(() => 0)) {
  const n = states.length;
  return fromSnapshot({
    seq: 1,
    count: n,
    origin: [121.4, 31.2],
    ids: Int32Array.from(states, (_, i) => 10 + i),
    // Sensors 0.01° apart along the longitude.
    offsets: Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? (k / 2) * 0.01 : 0)),
    familyIndex: Uint8Array.from(families),
    states: Uint8Array.from(states),
    families: ['manhole', 'hydrant'],
  });
}

const all = (t: ReturnType<typeof table>) => familyMask(t.families, SHOW_ALL);

describe('abnormalPoints', () => {
  it('lists abnormal sensors with alarms drawn last, coloured by state', () => {
    const t = table([0, 2, 3, 1]);
    const { points, rows } = abnormalPoints(t, all(t), stateMask(SHOW_ALL));
    expect(points.length).toBe(3);
    expect(Array.from(rows)).toEqual([2, 3, 1]); // offline, warning, alarm
    expect(Array.from(points.attributes.getFillColor!.value.subarray(8, 12))).toEqual(STATE_RGBA[2]);
  });

  it('leaves out hidden families and states', () => {
    const t = table([2, 2, 1, 3], [0, 1, 0, 0]);
    const filter = { hiddenFamilies: ['hydrant'], hiddenStates: [3] };
    const { rows } = abnormalPoints(t, familyMask(t.families, filter), stateMask(filter));
    expect(Array.from(rows)).toEqual([2, 0]);
  });
});

describe('filteredCounts', () => {
  it('counts every state of the shown families only', () => {
    const t = table([0, 2, 1, 0], [0, 1, 0, 1]);
    expect(filteredCounts(t, SHOW_ALL)).toEqual({ normal: 2, warning: 1, alarm: 1, offline: 0 });
    expect(filteredCounts(t, { hiddenFamilies: ['hydrant'], hiddenStates: [0] })).toEqual({
      normal: 1,
      warning: 1,
      alarm: 0,
      offline: 0,
    });
  });
});

describe('filteredServerCounts', () => {
  it("sums the server's per-family counts of the shown families", () => {
    const families = ['manhole', 'hydrant', 'gas'];
    const perFamily = [5, 1, 0, 0, 7, 0, 2, 1, 3, 0, 0, 4];
    expect(filteredServerCounts(families, perFamily, SHOW_ALL)).toEqual({
      normal: 15,
      warning: 1,
      alarm: 2,
      offline: 5,
    });
    expect(
      filteredServerCounts(families, perFamily, { hiddenFamilies: ['hydrant'], hiddenStates: [] }),
    ).toEqual({ normal: 8, warning: 1, alarm: 0, offline: 4 });
  });
});

describe('pickSensor', () => {
  const degPerPx: [number, number] = [0.001, 0.001]; // sensors are 10 px apart

  it('finds the drawn sensor under the pointer and nothing in empty space', () => {
    const t = table([0, 0, 0]);
    const target = { table: t, abnormalRows: new Uint32Array(0), normalRows: Uint32Array.of(0, 1, 2) };
    expect(pickSensor(target, [121.41 + 0.002, 31.2], degPerPx)).toBe(11);
    expect(pickSensor(target, [121.5, 31.2], degPerPx)).toBeNull();
  });

  it('ignores normal sensors that are not drawn one by one (city zoom)', () => {
    const t = table([0, 0]);
    const target = { table: t, abnormalRows: new Uint32Array(0), normalRows: new Uint32Array(0) };
    expect(pickSensor(target, [121.41, 31.2], degPerPx)).toBeNull();
  });

  it('prefers an abnormal sensor within its larger radius', () => {
    const t = table([0, 2]);
    const target = { table: t, abnormalRows: Uint32Array.of(1), normalRows: Uint32Array.of(0) };
    // 4 px from the normal sensor, 6 px from the alarm: the alarm is drawn bigger and on top.
    expect(pickSensor(target, [121.4 + 0.004, 31.2], degPerPx)).toBe(11);
  });
});
