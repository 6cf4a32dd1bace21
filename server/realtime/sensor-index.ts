// Where every sensor is and what state it is in, kept in memory by each node's sensor hub so that deltas
// can be cut to a client's viewport and the city-wide counts per family sent along.
// Indexed by sensor id. It is also the whole-city snapshot a subscribing client gets (`table`), so a
// subscription needs no query.
import type { SensorTable } from '../../src/lib/streams/codec';
import type { Bbox } from '../../src/lib/streams/contract';
import type { SnapshotRows } from '../db/repositories/sensor-feed.repository';

export class SensorIndex {
  private lon: Float64Array;
  private lat: Float64Array;
  private state: Uint8Array;
  /** Position of each sensor's family in `families`. */
  private family: Uint8Array;
  /** Sensors per family and state: family f's state s at f * 4 + s, families in the snapshot's order. */
  readonly familyCounts: number[];
  private readonly families: string[];
  private readonly count: number;

  /** `families`: the snapshot's family codes, in the order clients number them. */
  constructor(rows: SnapshotRows['rows'], families: readonly string[]) {
    this.families = [...families];
    let maxId = 0;
    for (const r of rows) if (r.id > maxId) maxId = r.id;
    this.lon = new Float64Array(maxId + 1).fill(NaN);
    this.lat = new Float64Array(maxId + 1).fill(NaN);
    this.state = new Uint8Array(maxId + 1).fill(255);
    this.family = new Uint8Array(maxId + 1);
    this.familyCounts = new Array<number>(families.length * 4).fill(0);
    const familyAt = new Map(families.map((f, i) => [f, i]));
    let count = 0;
    for (const r of rows) {
      if (Number.isNaN(this.lon[r.id])) count++;
      this.lon[r.id] = r.lon;
      this.lat[r.id] = r.lat;
      this.state[r.id] = r.state;
      const f = familyAt.get(r.family) ?? 0;
      this.family[r.id] = f;
      if (r.state < 4) this.familyCounts[f * 4 + r.state]++;
    }
    this.count = count;
  }

  /**
   * Every sensor in id order as the snapshot of the wire contract, `seq` being the sequence the index
   * is current with: the same table the snapshot query's rows pack into (see tableFromRows).
   */
  table(seq: number): SensorTable {
    const n = this.count;
    const ids = new Int32Array(n);
    const offsets = new Float32Array(2 * n);
    const familyIndex = new Uint8Array(n);
    const states = new Uint8Array(n);
    let minLon = Infinity;
    let minLat = Infinity;
    for (let id = 0; id < this.lon.length; id++) {
      if (Number.isNaN(this.lon[id])) continue;
      if (this.lon[id] < minLon) minLon = this.lon[id];
      if (this.lat[id] < minLat) minLat = this.lat[id];
    }
    const origin: [number, number] = n ? [minLon, minLat] : [0, 0];
    let i = 0;
    for (let id = 0; id < this.lon.length; id++) {
      if (Number.isNaN(this.lon[id])) continue;
      ids[i] = id;
      offsets[2 * i] = this.lon[id] - origin[0];
      offsets[2 * i + 1] = this.lat[id] - origin[1];
      familyIndex[i] = this.family[id];
      states[i] = this.state[id];
      i++;
    }
    return { seq, count: n, origin, ids, offsets, familyIndex, states, families: [...this.families] };
  }

  /** False for an id this index has never seen (a sensor added after it was built). */
  knows(id: number): boolean {
    return id < this.lon.length && !Number.isNaN(this.lon[id]);
  }

  /** Records new states and keeps the counts right. */
  apply(ids: ArrayLike<number>, states: ArrayLike<number>): void {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      if (!this.knows(id)) continue;
      const before = this.state[id];
      const after = states[k];
      if (before === after) continue;
      const f = this.family[id] * 4;
      if (before < 4) this.familyCounts[f + before]--;
      if (after < 4) this.familyCounts[f + after]++;
      this.state[id] = after;
    }
  }

  /** The entries of (ids, states) whose sensor lies inside `bbox`. */
  within(
    bbox: Bbox,
    ids: ArrayLike<number>,
    states: ArrayLike<number>,
  ): { ids: Int32Array; states: Uint8Array } {
    const [w, s, e, n] = bbox;
    const keep: number[] = [];
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      if (!this.knows(id)) continue;
      const x = this.lon[id];
      const y = this.lat[id];
      if (x >= w && x <= e && y >= s && y <= n) keep.push(k);
    }
    return {
      ids: Int32Array.from(keep, (k) => ids[k]),
      states: Uint8Array.from(keep, (k) => states[k]),
    };
  }
}

/** A valid [west, south, east, north] in WGS84, or null. */
export function parseBbox(value: unknown): Bbox | null {
  if (
    !Array.isArray(value) ||
    value.length !== 4 ||
    !value.every((v) => typeof v === 'number' && Number.isFinite(v))
  )
    return null;
  const [w, s, e, n] = value as number[];
  if (w < -180 || e > 180 || s < -90 || n > 90 || w > e || s > n) return null;
  return [w, s, e, n];
}
