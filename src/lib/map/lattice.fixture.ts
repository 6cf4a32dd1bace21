// Test fixture shared by the map specs: a small live table on a regular grid, and two views of it.
import { fromSnapshot, type LiveSensorTable } from '$lib/streams/sensor-table';
import type { MapView } from './sensor-view';

/** A 20 × 20 lattice of sensors 0.002° apart (about 200 m), ids 1..400, all normal, two families. */
export function lattice(): LiveSensorTable {
  const n = 400;
  const offsets = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    offsets[2 * i] = (i % 20) * 0.002;
    offsets[2 * i + 1] = Math.floor(i / 20) * 0.002;
  }
  return fromSnapshot({
    seq: 1,
    count: n,
    origin: [121.4, 31.2],
    ids: Int32Array.from({ length: n }, (_, i) => i + 1),
    offsets,
    familyIndex: Uint8Array.from({ length: n }, (_, i) => i % 2),
    states: new Uint8Array(n),
    families: ['manhole', 'hydrant'],
  });
}

/** The whole lattice at city zoom, and its corner at street zoom. */
export const CITY: MapView = { zoom: 12, bounds: [121.3, 31.1, 121.5, 31.3] };
export const STREET: MapView = { zoom: 15, bounds: [121.4, 31.2, 121.405, 31.205] };
