import { describe, expect, it } from 'vitest';
import { applyChanges } from '$lib/streams/sensor-table';
import { CITY, lattice, STREET } from './lattice.fixture';
import { LayerEngine } from './layer-engine';
import { inlinePort, LayerHost } from './layer-host';
import { SHOW_ALL } from './sensor-data';
import { SensorView, type SensorLayerData } from './sensor-view';

const BUDGET = { pointBudget: 100 };

/** A host on an engine on this thread; `next()` resolves with the next layer data it hands on. */
function harness() {
  const queue: SensorLayerData[] = [];
  const waiting: ((d: SensorLayerData) => void)[] = [];
  const host = new LayerHost(inlinePort(new LayerEngine(BUDGET)), (d) => {
    const w = waiting.shift();
    if (w) w(d);
    else queue.push(d);
  });
  const next = () =>
    new Promise<SensorLayerData>((resolve) => {
      const d = queue.shift();
      if (d) resolve(d);
      else waiting.push(resolve);
    });
  const settle = async () => {
    while (!host.settled) await new Promise((r) => setTimeout(r, 1));
  };
  return { host, next, settle };
}

/** What a drawing shows, without the identity of its arrays. */
function drawn(d: SensorLayerData) {
  const arrays = (a: object | null) =>
    a &&
    Object.fromEntries(
      Object.entries((a as { attributes: Record<string, { value: ArrayLike<number> }> }).attributes).map(
        ([k, v]) => [k, Array.from(v.value)],
      ),
    );
  return {
    mode: d.mode,
    cells: arrays(d.cells),
    normal: arrays(d.normal),
    abnormal: arrays(d.abnormal),
    abnormalRows: Array.from(d.abnormalRows),
    normalRows: Array.from(d.normalRows),
  };
}

describe('LayerHost with the layer engine', () => {
  it('draws what the view on the main thread would draw, at city and street zoom', async () => {
    const t = lattice();
    const { host, next } = harness();
    host.setTable(t, 1);
    host.setView(SHOW_ALL, CITY);
    const city = await next();
    expect(city.table).toBe(t); // picking uses the main thread's own table
    expect(drawn(city)).toEqual(drawn(new SensorView(BUDGET).update(t, 1, SHOW_ALL, CITY)));
    host.setView(SHOW_ALL, STREET);
    const street = await next();
    expect(street.mode).toBe('points');
    expect(drawn(street)).toEqual(drawn(new SensorView(BUDGET).update(t, 1, SHOW_ALL, STREET)));
  });

  it('after a delta hands deck new colours and abnormal points but the same cell positions', async () => {
    const t = lattice();
    const { host, next } = harness();
    host.setTable(t, 1);
    host.setView(SHOW_ALL, CITY);
    const before = await next();
    applyChanges(t, { fromSeq: 1, seq: 2, ids: Int32Array.of(1, 22), states: Uint8Array.of(2, 1) });
    host.setStates(2);
    const after = await next();
    expect(after.version).toBe(2);
    expect(after.cells!.attributes.getPosition).toBe(before.cells!.attributes.getPosition);
    expect(after.cells!.attributes.getRadius).toBe(before.cells!.attributes.getRadius);
    expect(after.cells!.attributes.getFillColor).not.toBe(before.cells!.attributes.getFillColor);
    // Alarm drawn above warning: row 21 (id 22, warning) first, row 0 (id 1, alarm) last.
    expect(Array.from(after.abnormalRows)).toEqual([21, 0]);
    expect(drawn(after)).toEqual(drawn(new SensorView(BUDGET).update(t, 2, SHOW_ALL, CITY)));
  });

  it('keeps a slot across answers that leave it out (cells → points → cells)', async () => {
    const t = lattice();
    const { host, next } = harness();
    host.setTable(t, 1);
    host.setView(SHOW_ALL, CITY);
    const city = await next();
    // The same zoom bucket (the bins stay), but a box with few sensors: drawn one by one.
    host.setView(SHOW_ALL, { zoom: 12.5, bounds: STREET.bounds });
    const points = await next();
    expect(points.cells).toBeNull();
    expect(points.normalRows.length).toBeGreaterThan(0);
    host.setView(SHOW_ALL, CITY);
    const again = await next();
    expect(again.cells!.attributes.getPosition).toBe(city.cells!.attributes.getPosition);
    expect(again.normalRows.length).toBe(0); // no stale street-zoom rows for picking
  });

  it('is settled only once every request is answered, and drops answers for a replaced table', async () => {
    const t = lattice();
    const { host, next, settle } = harness();
    host.setTable(t, 1);
    host.setView(SHOW_ALL, CITY);
    expect(host.settled).toBe(false);
    await settle();
    const replacement = lattice();
    applyChanges(replacement, { fromSeq: 1, seq: 5, ids: Int32Array.of(3), states: Uint8Array.of(3) });
    host.setStates(2); // for the old table: superseded by the new table below
    host.setTable(replacement, 3);
    const d = await next();
    const last = await Promise.race([next(), settle().then(() => d)]);
    expect(last.table).toBe(replacement);
    expect(Array.from(last.abnormalRows)).toEqual([2]);
  });

  it('answers which cell has sensors under a point at city zoom', async () => {
    const t = lattice();
    const { host, next } = harness();
    host.setTable(t, 1);
    host.setView(SHOW_ALL, CITY);
    await next();
    expect(await host.shownInCellAt(121.4001, 31.2001, SHOW_ALL)).toBeGreaterThan(0);
    expect(await host.shownInCellAt(121.0, 31.0, SHOW_ALL)).toBe(0);
    expect(await host.shownInCellAt(121.4001, 31.2001, { hiddenFamilies: [], hiddenStates: [0] })).toBe(0);
  });
});
