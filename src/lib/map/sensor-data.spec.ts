import { describe, expect, it } from 'vitest';
import { applyChanges, fromSnapshot } from '$lib/streams/sensor-table';
import { STATE_RGBA } from './colors';
import { pickSensor, sensorLayerData } from './sensor-data';

function table(states: number[]) {
  const n = states.length;
  return fromSnapshot({
    seq: 1,
    count: n,
    origin: [121.4, 31.2],
    ids: Int32Array.from(states, (_, i) => 10 + i),
    // Sensors 0.01° apart along the longitude.
    offsets: Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? (k / 2) * 0.01 : 0)),
    familyIndex: new Uint8Array(n),
    states: Uint8Array.from(states),
    families: ['manhole'],
  });
}

describe('sensorLayerData', () => {
  it('colours every sensor by state and lists abnormal ones with alarms drawn last', () => {
    const data = sensorLayerData(table([0, 2, 3, 1]), 1, null);
    expect(Array.from(data.all.attributes.getFillColor.value.subarray(4, 8))).toEqual(STATE_RGBA[2]);
    expect(data.abnormal.length).toBe(3);
    expect(Array.from(data.abnormalRows)).toEqual([2, 3, 1]); // offline, warning, alarm
  });

  it('reuses the position buffer and makes a new colour descriptor when the version moves', () => {
    const t = table([0, 0]);
    const first = sensorLayerData(t, 1, null);
    expect(sensorLayerData(t, 1, first)).toBe(first);
    applyChanges(t, { fromSeq: 1, seq: 2, ids: Int32Array.of(11), states: Uint8Array.of(2) });
    const second = sensorLayerData(t, 2, first);
    expect(second.all.attributes.getPosition).toBe(first.all.attributes.getPosition);
    expect(second.all.attributes.getFillColor).not.toBe(first.all.attributes.getFillColor);
    expect(second.abnormal.length).toBe(1);
  });
});

describe('pickSensor', () => {
  const degPerPx: [number, number] = [0.001, 0.001]; // sensors are 10 px apart

  it('finds the sensor under the pointer and nothing in empty space', () => {
    const data = sensorLayerData(table([0, 0, 0]), 1, null);
    expect(pickSensor(data, [121.41 + 0.002, 31.2], degPerPx)).toBe(11);
    expect(pickSensor(data, [121.5, 31.2], degPerPx)).toBeNull();
  });

  it('prefers an abnormal sensor within its larger radius', () => {
    const data = sensorLayerData(table([0, 2]), 1, null);
    // 4 px from the normal sensor, 6 px from the alarm: the alarm is drawn bigger and on top.
    expect(pickSensor(data, [121.4 + 0.004, 31.2], degPerPx)).toBe(11);
  });
});
