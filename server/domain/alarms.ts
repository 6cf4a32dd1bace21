// Pure alarm lifecycle decisions: which alarms a sensor's rule outcomes open, touch or clear, when an
// unacknowledged alarm escalates, and when a critical alarm needs a case. The services apply the actions.
import type { RuleOutcome } from './ingest-contract';

/** Lifecycle of an alarm (alarms.status). */
export type AlarmStatus = 'open' | 'acknowledged' | 'cleared';

/** An alarm of one sensor that is not cleared yet, as planAlarms needs it. */
export interface ActiveAlarm {
  /** alarms.id. */
  id: number;
  /** The rule that raised it. */
  ruleId: string;
  /** Current severity: 1 warning, 2 critical. */
  severity: number;
  /** "open" or "acknowledged"; cleared alarms are ignored. */
  status: AlarmStatus;
}

/** What to do with one alarm after a reading. */
export type AlarmAction =
  | {
      /** Insert a new alarm (the rule became active and the sensor has none open for it). */
      kind: 'open';
      /** The rule that fired. */
      ruleId: string;
      /** Severity to open with. */
      severity: 1 | 2;
    }
  | {
      /** The rule is still active: occurrences + 1, last_seen_at = reading time, severity as given. */
      kind: 'touch';
      /** alarms.id. */
      alarmId: number;
      /** The rule that fired. */
      ruleId: string;
      /** Severity to store: never lower than before, so a warning that turned critical stays critical. */
      severity: 1 | 2;
      /** True when the severity went up with this reading (worth telling people about; may need a case). */
      raised: boolean;
    }
  | {
      /** The rule is no longer active: set status "cleared" and cleared_at. */
      kind: 'clear';
      /** alarms.id. */
      alarmId: number;
      /** The rule that cleared. */
      ruleId: string;
    };

/**
 * Plans alarm changes for one sensor from its rule outcomes. One alarm per sensor and rule: a repeat
 * touches the existing one instead of opening a duplicate; an inactive rule clears its open or acknowledged
 * alarm. Rules without an outcome (e.g. a stale reading) leave their alarms alone.
 */
export function planAlarms(open: readonly ActiveAlarm[], outcomes: readonly RuleOutcome[]): AlarmAction[] {
  const byRule = new Map<string, ActiveAlarm>();
  for (const a of open) {
    // The unique index on (sensor, rule) where status <> 'cleared' makes a second one impossible; keep the
    // first if a caller passes one anyway.
    if (a.status !== 'cleared' && !byRule.has(a.ruleId)) byRule.set(a.ruleId, a);
  }
  const actions: AlarmAction[] = [];
  for (const o of outcomes) {
    const alarm = byRule.get(o.ruleId);
    if (o.active && !alarm) actions.push({ kind: 'open', ruleId: o.ruleId, severity: o.severity });
    else if (o.active && alarm) {
      const severity = Math.max(alarm.severity, o.severity) as 1 | 2;
      actions.push({
        kind: 'touch',
        alarmId: alarm.id,
        ruleId: o.ruleId,
        severity,
        raised: severity > alarm.severity,
      });
    } else if (!o.active && alarm) actions.push({ kind: 'clear', alarmId: alarm.id, ruleId: o.ruleId });
  }
  return actions;
}

/** When unacknowledged alarms escalate. */
export interface EscalationPolicy {
  /** Seconds after opening at which level 1, 2, … is reached (ascending). */
  afterSeconds: readonly number[];
}

/** Level 1 after 10 minutes unacknowledged, level 2 after 30. */
export const DEFAULT_ESCALATION: EscalationPolicy = { afterSeconds: [600, 1800] };

/** The fields of an alarm that escalation depends on. */
export interface EscalationSubject {
  /** Only "open" (unacknowledged) alarms escalate. */
  status: AlarmStatus;
  /** When the alarm was opened. */
  openedAt: Date;
  /** Levels reached so far (0 = never escalated). */
  escalationLevel: number;
}

/**
 * The next escalation level due for an alarm, or null. Deadlines count from `openedAt`, not from the last
 * escalation, so a sweep that was down catches up; it moves one level per call so each level is recorded.
 */
export function escalationDue(alarm: EscalationSubject, now: Date, policy: EscalationPolicy): number | null {
  if (alarm.status !== 'open') return null;
  const after = policy.afterSeconds[alarm.escalationLevel];
  if (after === undefined) return null;
  return now.getTime() - alarm.openedAt.getTime() >= after * 1000 ? alarm.escalationLevel + 1 : null;
}

/** True when an alarm should open a case for its owner department: critical and no case yet. */
export function needsCase(alarm: { severity: number; caseId: number | null | undefined }): boolean {
  return alarm.severity >= 2 && alarm.caseId == null;
}
