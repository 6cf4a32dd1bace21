// The alarms of one ingest batch, in memory: starts from the sensors' non-cleared alarms, applies the
// alarm planner's actions reading by reading (a batch may hold several readings of one sensor), and ends
// as one INSERT of new alarms and one UPDATE of existing ones. Keeping at most one non-cleared alarm per
// (sensor, rule) here is what keeps the database's partial unique index satisfied.
import type { AlarmInsert, AlarmUpdate, OpenAlarmRow } from '../db/repositories/ingest.repository';
import { planAlarms, type ActiveAlarm, type AlarmStatus } from '../domain/alarms';
import type { RuleOutcome } from '../domain/ingest-contract';

interface Entry {
  /** Position in `entries`: the id the planner sees. */
  key: number;
  /** "open" or "acknowledged" (a new alarm is open). */
  status: AlarmStatus;
  /** Null for an alarm opened in this batch. */
  id: number | null;
  sensorId: number;
  ruleId: string;
  severity: 1 | 2;
  openedAt: Date;
  lastSeenAt: Date;
  /** Occurrences added in this batch (for a new alarm: all of them). */
  added: number;
  lastValue: Record<string, unknown> | null;
  clearedAt: Date | null;
  changed: boolean;
}

export class AlarmBook {
  /** Every alarm the batch touched or opened, cleared ones included. */
  private readonly entries: Entry[] = [];
  /** Non-cleared alarms per sensor, by rule. */
  private readonly open = new Map<number, Map<string, Entry>>();

  constructor(existing: readonly OpenAlarmRow[]) {
    for (const a of existing) {
      const e: Entry = {
        key: this.entries.length,
        status: a.status === 'acknowledged' ? 'acknowledged' : 'open',
        id: a.id,
        sensorId: a.sensorId,
        ruleId: a.ruleId,
        severity: a.severity === 2 ? 2 : 1,
        openedAt: a.openedAt,
        lastSeenAt: a.lastSeenAt,
        added: 0,
        lastValue: null,
        clearedAt: null,
        changed: false,
      };
      this.entries.push(e);
      this.openOf(a.sensorId).set(a.ruleId, e);
    }
  }

  /** Applies one reading's rule outcomes to its sensor's alarms. */
  apply(sensorId: number, outcomes: readonly RuleOutcome[], ts: Date, values: Record<string, unknown>): void {
    // The usual reading: nothing open and no rule holding, so nothing to plan (and nothing to allocate).
    if (!this.open.get(sensorId)?.size && !outcomes.some((o) => o.active)) return;
    const open = this.openOf(sensorId);
    const current: ActiveAlarm[] = [...open.values()].map((e) => ({
      id: e.key,
      ruleId: e.ruleId,
      severity: e.severity,
      status: e.status,
    }));
    for (const action of planAlarms(current, outcomes)) {
      if (action.kind === 'open') {
        const existing = open.get(action.ruleId);
        if (existing) {
          this.touch(existing, action.severity, ts, values); // never a second non-cleared alarm per rule
          continue;
        }
        const fresh: Entry = {
          key: this.entries.length,
          status: 'open',
          id: null,
          sensorId,
          ruleId: action.ruleId,
          severity: action.severity,
          openedAt: ts,
          lastSeenAt: ts,
          added: 1,
          lastValue: values,
          clearedAt: null,
          changed: true,
        };
        this.entries.push(fresh);
        open.set(action.ruleId, fresh);
      } else {
        const e = this.entries[action.alarmId];
        if (!e || e.clearedAt) continue;
        if (action.kind === 'touch') this.touch(e, action.severity, ts, values);
        else {
          e.clearedAt = ts;
          e.changed = true;
          open.delete(e.ruleId);
        }
      }
    }
  }

  /** The batch's alarm writes: new alarms to insert, existing ones to update. */
  changes(): { inserts: AlarmInsert[]; updates: AlarmUpdate[] } {
    const inserts: AlarmInsert[] = [];
    const updates: AlarmUpdate[] = [];
    for (const e of this.entries) {
      if (!e.changed) continue;
      if (e.id === null) {
        inserts.push({
          sensorId: e.sensorId,
          ruleId: e.ruleId,
          severity: e.severity,
          openedAt: e.openedAt,
          lastSeenAt: e.lastSeenAt,
          occurrences: e.added,
          lastValue: e.lastValue ?? {},
          clearedAt: e.clearedAt,
        });
      } else {
        updates.push({
          id: e.id,
          severity: e.severity,
          lastSeenAt: e.lastSeenAt,
          addOccurrences: e.added,
          lastValue: e.lastValue,
          clearedAt: e.clearedAt,
        });
      }
    }
    return { inserts, updates };
  }

  private touch(e: Entry, severity: 1 | 2, ts: Date, values: Record<string, unknown>): void {
    e.severity = severity > e.severity ? severity : e.severity;
    e.lastSeenAt = ts;
    e.added++;
    e.lastValue = values;
    e.changed = true;
  }

  private openOf(sensorId: number): Map<string, Entry> {
    let m = this.open.get(sensorId);
    if (!m) {
      m = new Map();
      this.open.set(sensorId, m);
    }
    return m;
  }
}
