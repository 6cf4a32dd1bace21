import { describe, expect, it } from 'vitest';
import { applyChanges } from '$lib/streams/sensor-table';
import { CITY, lattice, STREET } from './lattice.fixture';
import { SHOW_ALL } from './sensor-data';
import { INDIVIDUAL_MIN_ZOOM, SensorView, zoomBucket, type MapView } from './sensor-view';

/** A budget below the lattice's 400 sensors, so the city view aggregates. */
const BUDGET = { pointBudget: 100 };

describe('SensorView', () => {
  it('aggregates normal sensors when the view holds more than the budget, else draws them one by one', () => {
    const t = lattice();
    const view = new SensorView(BUDGET);
    const city = view.update(t, 1, SHOW_ALL, CITY);
    expect(city.mode).toBe('cells');
    expect(city.cells!.length).toBeGreaterThan(0);
    expect(city.normal).toBeNull();
    expect(city.normalRows.length).toBe(0);

    const street = view.update(t, 1, SHOW_ALL, STREET);
    expect(street.mode).toBe('points');
    expect(street.cells).toBeNull();
    // The viewport (plus padding) holds a few sensors of the lattice's corner, not all 400.
    expect(street.normal!.length).toBeGreaterThan(0);
    expect(street.normal!.length).toBeLessThan(400);
    // From INDIVIDUAL_MIN_ZOOM even a crowded view is drawn one by one; a small table is at every zoom.
    expect(view.update(t, 1, SHOW_ALL, { ...CITY, zoom: INDIVIDUAL_MIN_ZOOM }).mode).toBe('points');
    expect(new SensorView().update(t, 1, SHOW_ALL, CITY).mode).toBe('points');
    expect(zoomBucket(20)).toBe(zoomBucket(15));
  });

  it('draws each cell as a dot whose radius grows with its count and stays inside the cell', () => {
    const t = lattice();
    const view = new SensorView(BUDGET);
    const city = view.update(t, 1, SHOW_ALL, CITY);
    const radii = Array.from(city.cells!.attributes.getRadius.value);
    expect(radii.length).toBe(city.cells!.length);
    for (const r of radii) {
      expect(r).toBeGreaterThan(0);
      expect(r).toBeLessThan(city.cells!.cellSizeM / 2);
    }
    // The lattice puts different numbers of sensors in the cells: the dots differ in size accordingly.
    expect(new Set(radii).size).toBeGreaterThan(1);
  });

  it('returns the same object while nothing drawn changes', () => {
    const t = lattice();
    const view = new SensorView(BUDGET);
    const a = view.update(t, 1, SHOW_ALL, CITY);
    expect(view.update(t, 1, SHOW_ALL, { ...CITY, zoom: 12.7 })).toBe(a); // same zoom bucket
    const s = view.update(t, 1, SHOW_ALL, STREET);
    const panned: MapView = { zoom: 15, bounds: [121.401, 31.201, 121.406, 31.206] };
    expect(view.update(t, 1, SHOW_ALL, panned)).toBe(s); // still inside the padded query box
  });

  it('after a delta re-uploads only the cell colours, and moves the sensor to the abnormal layer', () => {
    const t = lattice();
    const view = new SensorView(BUDGET);
    const before = view.update(t, 1, SHOW_ALL, CITY);
    const colours = before.cells!.attributes.getFillColor.value.slice();
    applyChanges(t, { fromSeq: 1, seq: 2, ids: Int32Array.of(1), states: Uint8Array.of(2) });
    const after = view.update(t, 2, SHOW_ALL, CITY);
    expect(after).not.toBe(before);
    expect(after.cells!.attributes.getPosition).toBe(before.cells!.attributes.getPosition);
    expect(after.cells!.attributes.getFillColor).not.toBe(before.cells!.attributes.getFillColor);
    const now = after.cells!.attributes.getFillColor.value;
    let changedCells = 0;
    for (let k = 0; k < now.length; k += 4)
      if (now[k] !== colours[k] || now[k + 1] !== colours[k + 1]) changedCells++;
    expect(changedCells).toBe(1);
    expect(after.abnormal.length).toBe(1);
    expect(Array.from(after.abnormalRows)).toEqual([0]);
  });

  it('applies the family and state filters to cells, points and abnormal sensors', () => {
    const t = lattice();
    applyChanges(t, { fromSeq: 1, seq: 2, ids: Int32Array.of(1, 2), states: Uint8Array.of(1, 1) });
    const view = new SensorView(BUDGET);
    const noHydrants = view.update(t, 2, { hiddenFamilies: ['hydrant'], hiddenStates: [] }, STREET);
    expect(Array.from(noHydrants.abnormalRows)).toEqual([0]); // id 2 is a hydrant
    for (const row of noHydrants.normalRows) expect(t.familyIndex[row]).toBe(0);
    const noNormal = view.update(t, 2, { hiddenFamilies: [], hiddenStates: [0] }, CITY);
    expect(noNormal.cells).toBeNull();
    expect(noNormal.abnormal.length).toBe(2);
  });
});
