// Replay's pure rules (issue 19): what a case and the sensor counts looked like at a past instant, from
// the stored record alone. The deadline colour follows the live case list's rule (cases.repository.ts):
// the signing deadline while dispatched, the resolution deadline while signed or in progress.
import { replayCase, type RecordedEvent, type ReplayedCase } from './case-history';
import { deadlineStatus, type DeadlineStatus, type WorkCalendar } from './work-calendar';

/** Sensor states in the order of their codes (0 normal, 1 warning, 2 alarm, 3 offline). */
export const SENSOR_STATE_COUNT = 4;

/** Where a case's running deadline stood at `at`; null when no clock was running. */
export function deadlineAt(c: ReplayedCase, at: Date, cal: WorkCalendar): DeadlineStatus | null {
  if (c.state === 'dispatched' && c.signDueAt)
    return at.getTime() > Date.parse(c.signDueAt) ? 'overdue' : 'on_track';
  if ((c.state === 'signed' || c.state === 'in_progress') && c.dueAt)
    return deadlineStatus(cal, new Date(c.dueAt), c.allowedHours ?? 0, at);
  return null;
}

/** A case folded from its events up to `at` (the events given must be those up to `at`). */
export function caseAt(events: readonly RecordedEvent[], at: Date, cal: WorkCalendar) {
  const c = replayCase(events);
  return { ...c, deadline: deadlineAt(c, at, cal) };
}

/** Counts by state, overall and per family. */
export interface SensorCounts {
  byState: number[];
  byFamily: Record<string, number[]>;
}

/**
 * Counts of every sensor by state: `totals` has each family's number of sensors, `abnormal` the sensors not
 * normal with their states and families (a sensor missing from `families` is no longer registered and not
 * counted); every other sensor was normal.
 */
export function countSensors(
  totals: readonly { family: string; sensors: number }[],
  abnormal: { ids: readonly number[]; states: readonly number[] },
  families: ReadonlyMap<number, string>,
): SensorCounts {
  const byFamily: Record<string, number[]> = {};
  for (const t of totals) byFamily[t.family] = [t.sensors, 0, 0, 0];
  abnormal.ids.forEach((id, k) => {
    const row = byFamily[families.get(id) ?? ''];
    if (!row) return;
    row[0]--;
    row[abnormal.states[k]]++;
  });
  const byState = new Array<number>(SENSOR_STATE_COUNT).fill(0);
  for (const row of Object.values(byFamily)) row.forEach((n, s) => (byState[s] += n));
  return { byState, byFamily };
}

/** A sensor's change of state at an instant. */
export interface Transition {
  sensorId: number;
  at: Date;
  state: number;
}

/**
 * The sensor transitions a record of alarms implies from `from` on (for a generated past): a sensor is in
 * alarm (2) while a critical alarm of it is open, in warning (1) while only warnings are, normal otherwise.
 * A sensor already in alarm at `from` gets its state at `from`. Sorted by time, then sensor.
 */
export function transitionsOfAlarms(
  alarms: readonly { sensorId: number; severity: number; openedAt: Date; clearedAt: Date | null }[],
  from: Date,
): Transition[] {
  const bySensor = new Map<number, { t: number; severity: number; delta: 1 | -1 }[]>();
  for (const a of alarms) {
    const list = bySensor.get(a.sensorId) ?? [];
    list.push({ t: a.openedAt.getTime(), severity: a.severity, delta: 1 });
    if (a.clearedAt) list.push({ t: a.clearedAt.getTime(), severity: a.severity, delta: -1 });
    bySensor.set(a.sensorId, list);
  }
  const out: Transition[] = [];
  const start = from.getTime();
  for (const [sensorId, changes] of bySensor) {
    // At one instant a clear goes before an open, so back-to-back alarms do not look like an overlap.
    changes.sort((a, b) => a.t - b.t || a.delta - b.delta);
    const open = [0, 0, 0];
    let state = 0;
    let pending: { t: number; state: number } | null = null;
    const stateNow = () => (open[2] > 0 ? 2 : open[1] > 0 ? 1 : 0);
    for (const c of changes) {
      open[c.severity >= 2 ? 2 : 1] += c.delta;
      const next = stateNow();
      if (next === state) continue;
      state = next;
      const t = Math.max(c.t, start);
      // Changes before `from` collapse into the state at `from`; several at one instant into the last.
      if (pending && pending.t === t) pending.state = state;
      else {
        if (pending) out.push({ sensorId, at: new Date(pending.t), state: pending.state });
        pending = { t, state };
      }
    }
    if (pending) out.push({ sensorId, at: new Date(pending.t), state: pending.state });
  }
  // Collapsing can leave a state equal to the one before (normal before the first): no change, no row.
  const kept = out.filter((tr, i) => {
    const prev = out[i - 1];
    return tr.state !== (prev && prev.sensorId === tr.sensorId ? prev.state : 0);
  });
  return kept.sort((a, b) => a.at.getTime() - b.at.getTime() || a.sensorId - b.sensorId);
}
