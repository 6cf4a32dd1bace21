import { describe, expect, it } from 'vitest';
import { decodeDelta, decodeSnapshot, encodeDelta, encodeSnapshot, type SensorTable } from './codec';
import { decideDelta } from './sequence';
import { applyChanges, countStates, fromSnapshot, positionOf, RowIndex, stateOf } from './sensor-table';

/** A small table: sensor ids 101.., all normal unless `states` says otherwise. */
function makeTable(states: number[], seq = 10): SensorTable {
  const count = states.length;
  const offsets = new Float32Array(2 * count);
  for (let i = 0; i < count; i++) {
    offsets[2 * i] = i * 0.001;
    offsets[2 * i + 1] = -i * 0.002;
  }
  return {
    seq,
    count,
    origin: [121.43, 31.2],
    ids: Int32Array.from(states, (_, i) => 101 + i),
    offsets,
    familyIndex: new Uint8Array(count),
    states: Uint8Array.from(states),
    families: ['manhole'],
  };
}

function changes(fromSeq: number, seq: number, entries: [id: number, state: number][]) {
  return {
    fromSeq,
    seq,
    ids: Int32Array.from(entries.map(([id]) => id)),
    states: Uint8Array.from(entries.map(([, state]) => state)),
  };
}

describe('fromSnapshot', () => {
  it('counts sensors per state and indexes them by id', () => {
    const live = fromSnapshot(makeTable([0, 0, 1, 2, 3, 3]));
    expect(live.counts).toEqual({ normal: 2, warning: 1, alarm: 1, offline: 2 });
    expect(stateOf(live, 104)).toBe(2);
    expect(stateOf(live, 999)).toBeNull();
  });

  it('works on a table that went through the wire codec', () => {
    const live = fromSnapshot(decodeSnapshot(encodeSnapshot(makeTable([0, 2, 0]))));
    expect(live.counts.alarm).toBe(1);
    expect(stateOf(live, 102)).toBe(2);
  });

  it('gives positions as origin plus offset', () => {
    const live = fromSnapshot(makeTable([0, 0, 0]));
    const [lon, lat] = positionOf(live, 103)!;
    expect(lon).toBeCloseTo(121.432, 6);
    expect(lat).toBeCloseTo(31.196, 6);
    expect(positionOf(live, 1)).toBeNull();
  });
});

describe('applyChanges', () => {
  it('updates states by id and keeps counts equal to a recount', () => {
    const live = fromSnapshot(makeTable([0, 0, 0, 1]));
    const result = applyChanges(
      live,
      changes(10, 12, [
        [102, 2],
        [104, 0],
        [101, 3],
      ]),
    );
    expect(result).toEqual({ changed: 3, unknownIds: [], invalid: 0 });
    expect(Array.from(live.states)).toEqual([3, 2, 0, 0]);
    expect(live.counts).toEqual({ normal: 2, warning: 0, alarm: 1, offline: 1 });
    expect(live.counts).toEqual(countStates(live.states));
    expect(live.seq).toBe(12);
  });

  it('does not count a sensor that reports the state it already has', () => {
    const live = fromSnapshot(makeTable([2, 0]));
    const result = applyChanges(live, changes(10, 11, [[101, 2]]));
    expect(result.changed).toBe(0);
    expect(live.counts).toEqual({ normal: 1, warning: 0, alarm: 1, offline: 0 });
    expect(live.seq).toBe(11);
  });

  it('applies the last entry when one delta lists a sensor twice', () => {
    const live = fromSnapshot(makeTable([0, 0]));
    applyChanges(
      live,
      changes(10, 13, [
        [101, 2],
        [101, 1],
      ]),
    );
    expect(stateOf(live, 101)).toBe(1);
    expect(live.counts).toEqual({ normal: 1, warning: 1, alarm: 0, offline: 0 });
  });

  it('reports ids it does not know and skips invalid state bytes', () => {
    const live = fromSnapshot(makeTable([0, 0]));
    const result = applyChanges(
      live,
      changes(10, 11, [
        [500, 2],
        [101, 9],
        [102, 3],
      ]),
    );
    expect(result).toEqual({ changed: 1, unknownIds: [500], invalid: 1 });
    expect(Array.from(live.states)).toEqual([0, 3]);
    expect(live.counts).toEqual(countStates(live.states));
  });

  it('treats an empty heartbeat delta as a sequence move only', () => {
    const live = fromSnapshot(makeTable([0, 1]));
    const result = applyChanges(live, decodeDelta(encodeDelta(changes(10, 15, []))));
    expect(result.changed).toBe(0);
    expect(live.seq).toBe(15);
    expect(live.counts).toEqual({ normal: 1, warning: 1, alarm: 0, offline: 0 });
  });

  it('follows decideDelta through an in-order stream, a duplicate and a gap', () => {
    const live = fromSnapshot(makeTable([0, 0, 0], 10));
    const stream = [
      changes(10, 12, [[101, 2]]),
      changes(12, 14, [[102, 1]]),
      changes(10, 12, [[101, 0]]), // duplicate of an old frame: must not undo the alarm
      changes(20, 22, [[103, 3]]), // gap: 14..20 never seen
    ];
    const decisions = stream.map((delta) => {
      const decision = decideDelta(live.seq, delta.fromSeq, delta.seq);
      if (decision === 'apply') applyChanges(live, delta);
      return decision;
    });
    expect(decisions).toEqual(['apply', 'apply', 'ignore', 'gap']);
    expect(Array.from(live.states)).toEqual([2, 1, 0]);
    expect(live.seq).toBe(14);
  });
});

describe('RowIndex', () => {
  it('finds every row of dense ids and nothing outside them', () => {
    const ids = Int32Array.from([7, 3, 5, 4, 9]);
    const index = new RowIndex(ids);
    ids.forEach((id, row) => expect(index.get(id)).toBe(row));
    for (const absent of [0, 2, 6, 8, 10, -1, 1e9]) expect(index.get(absent)).toBeUndefined();
  });

  it('finds every row of ids spread far wider than the table', () => {
    const ids = Int32Array.from([5_000_000, 12, 900_000, 2_000_000_000, 77]);
    const index = new RowIndex(ids);
    ids.forEach((id, row) => expect(index.get(id)).toBe(row));
    for (const absent of [0, 13, 899_999, 2_000_000_001]) expect(index.get(absent)).toBeUndefined();
  });

  it('knows nothing in an empty table', () => {
    expect(new RowIndex(new Int32Array(0)).get(0)).toBeUndefined();
  });
});
