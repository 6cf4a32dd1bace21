// Micro benchmark of the map's city-zoom aggregation on 500,000 synthetic sensors: a full bin per zoom
// bucket, an incremental update after a 5,000-sensor delta, and the whole SensorView update (bins, cell
// colours, abnormal subset). Run: node --import tsx bench/client-binning.ts   (BENCH_SENSORS optional)
import os from 'node:os';
import { binSensors, gridFor, offsetBounds, updateBins } from '../src/lib/map/binning';
import { SHOW_ALL } from '../src/lib/map/sensor-data';
import { metresPerPixel, SensorView } from '../src/lib/map/sensor-view';
import { applyChanges, fromSnapshot } from '../src/lib/streams/sensor-table';

const N = Number(process.env.BENCH_SENSORS ?? 500_000);
const ORIGIN: [number, number] = [121.433, 31.213];

function syntheticCity(n: number) {
  let seed = 42;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const offsets = new Float32Array(2 * n);
  const states = new Uint8Array(n);
  const familyIndex = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // The two districts' box: about 0.092° × 0.22°.
    offsets[2 * i] = (rnd() - 0.5) * 0.092;
    offsets[2 * i + 1] = (rnd() - 0.5) * 0.22;
    const r = rnd();
    states[i] = r < 0.96 ? 0 : r < 0.98 ? 1 : r < 0.99 ? 2 : 3;
    familyIndex[i] = Math.floor(rnd() * 6);
  }
  return fromSnapshot({
    seq: 1,
    count: n,
    origin: ORIGIN,
    ids: Int32Array.from({ length: n }, (_, i) => i + 1),
    offsets,
    familyIndex,
    states,
    families: ['manhole', 'hydrant', 'elevator', 'drain', 'streetlight', 'gas'],
  });
}

/** Median and max of `runs` timings of `fn`, in ms. */
function time(runs: number, fn: () => void): { median: number; max: number } {
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], max: ms[ms.length - 1] };
}

const table = syntheticCity(N);
const bounds = offsetBounds(table.offsets);
const all = new Uint8Array(256).fill(1);
const rows: { case: string; cells: number | string; median: string; max: string }[] = [];
const fmt = (x: number) => x.toFixed(1);

for (const zoom of [10, 12, 13]) {
  const sizeM = 22 * metresPerPixel(zoom, ORIGIN[1]);
  const cellH = sizeM / 111_320;
  const grid = gridFor(bounds, cellH / Math.cos((ORIGIN[1] * Math.PI) / 180), cellH);
  let occupied = 0;
  const t = time(9, () => (occupied = binSensors(table, grid, all).occupied.length));
  rows.push({
    case: `full bin, zoom ${zoom} (${Math.round(sizeM)} m cells)`,
    cells: occupied,
    median: fmt(t.median),
    max: fmt(t.max),
  });
}

{
  const grid = gridFor(bounds, 0.004, 0.0035);
  const bins = binSensors(table, grid, all);
  let seed = 3;
  const t = time(9, () => {
    for (let k = 0; k < 5_000; k++) {
      seed = (seed * 16807) % 2147483647;
      table.states[seed % N] = seed % 4;
    }
    updateBins(bins, table.states);
  });
  rows.push({
    case: 'update after a 5,000-sensor delta',
    cells: grid.cols * grid.rows,
    median: fmt(t.median),
    max: fmt(t.max),
  });
}

{
  const view = new SensorView();
  const city = { zoom: 12, bounds: [121.38, 31.1, 121.48, 31.33] as [number, number, number, number] };
  let version = 1;
  const first = time(1, () => view.update(table, version, SHOW_ALL, city));
  rows.push({
    case: 'SensorView first paint (bin + colours + abnormal)',
    cells: view.update(table, 1, SHOW_ALL, city).cells!.length,
    median: fmt(first.median),
    max: fmt(first.max),
  });
  let seed = 11;
  const delta = time(9, () => {
    const ids = new Int32Array(5_000);
    const states = new Uint8Array(5_000);
    for (let k = 0; k < 5_000; k++) {
      seed = (seed * 16807) % 2147483647;
      ids[k] = (seed % N) + 1;
      states[k] = seed % 4;
    }
    applyChanges(table, { fromSeq: table.seq, seq: table.seq + 1, ids, states });
    view.update(table, ++version, SHOW_ALL, city);
  });
  rows.push({
    case: 'SensorView after a 5,000-sensor delta (apply + update)',
    cells: '',
    median: fmt(delta.median),
    max: fmt(delta.max),
  });
  const street = { zoom: 15, bounds: [121.42, 31.2, 121.44, 31.215] as [number, number, number, number] };
  const s = time(1, () => view.update(table, version, SHOW_ALL, street));
  rows.push({
    case: `SensorView to street zoom (re-bin + ${view.update(table, version, SHOW_ALL, street).normal!.length} points)`,
    cells: '',
    median: fmt(s.median),
    max: fmt(s.max),
  });
}

console.log(
  `client binning, ${N.toLocaleString('en')} sensors — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}`,
);
console.log('| case | cells | median ms | max ms |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.case} | ${r.cells} | ${r.median} | ${r.max} |`);
