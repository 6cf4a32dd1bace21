// The sensor table a replay draws: the live table's sensors (ids, positions, families) with the states of
// a past instant. Patched in place like the live table, so the map takes it down its usual path: a new
// table once, then only its states. Pure; no Svelte, no I/O.
import { countStates, type LiveSensorTable } from '$lib/streams/sensor-table';

/** A table sharing `live`'s sensors, every sensor normal until states are applied. */
export function replayTableOf(live: LiveSensorTable): LiveSensorTable {
  const states = new Uint8Array(live.count);
  return { ...live, states, counts: countStates(states) };
}

/**
 * Sets every sensor's state from a replayed instant: those listed (ascending ids) get their state, all
 * others are normal. Sensors the table does not know (removed since) are skipped; returns how many.
 */
export function applyReplayStates(
  table: LiveSensorTable,
  ids: readonly number[],
  states: readonly number[],
): number {
  table.states.fill(0);
  let unknown = 0;
  for (let k = 0; k < ids.length; k++) {
    const row = table.indexById.get(ids[k]);
    if (row === undefined) unknown++;
    else table.states[row] = states[k];
  }
  table.counts = countStates(table.states);
  return unknown;
}
