import { describe, expect, it } from 'vitest';
import { DEFAULT_ESCALATION, escalationDue, needsCase, planAlarms, type ActiveAlarm } from './alarms';
import type { RuleOutcome } from './ingest-contract';

const outcome = (ruleId: string, active: boolean, severity: 1 | 2 = 1): RuleOutcome => ({
  ruleId,
  severity,
  active,
});
const alarm = (patch: Partial<ActiveAlarm> = {}): ActiveAlarm => ({
  id: 10,
  ruleId: 'manhole.tilt',
  severity: 1,
  status: 'open',
  ...patch,
});

describe('planAlarms', () => {
  it('opens an alarm when a rule becomes active and none is open', () => {
    expect(planAlarms([], [outcome('manhole.tilt', true, 2), outcome('manhole.open', false, 2)])).toEqual([
      { kind: 'open', ruleId: 'manhole.tilt', severity: 2 },
    ]);
  });

  it('touches the existing alarm on a repeat instead of opening a duplicate', () => {
    expect(planAlarms([alarm()], [outcome('manhole.tilt', true)])).toEqual([
      { kind: 'touch', alarmId: 10, ruleId: 'manhole.tilt', severity: 1, raised: false },
    ]);
  });

  it('raises the severity when the rule turns critical, and never lowers it', () => {
    expect(planAlarms([alarm()], [outcome('manhole.tilt', true, 2)])).toEqual([
      { kind: 'touch', alarmId: 10, ruleId: 'manhole.tilt', severity: 2, raised: true },
    ]);
    expect(planAlarms([alarm({ severity: 2 })], [outcome('manhole.tilt', true, 1)])).toEqual([
      { kind: 'touch', alarmId: 10, ruleId: 'manhole.tilt', severity: 2, raised: false },
    ]);
  });

  it('touches an acknowledged alarm too (acknowledging does not end it)', () => {
    const [action] = planAlarms([alarm({ status: 'acknowledged' })], [outcome('manhole.tilt', true)]);
    expect(action.kind).toBe('touch');
  });

  it('clears an open or acknowledged alarm when its rule is no longer active', () => {
    const open = [alarm(), alarm({ id: 11, ruleId: 'manhole.open', status: 'acknowledged', severity: 2 })];
    expect(planAlarms(open, [outcome('manhole.tilt', false), outcome('manhole.open', false, 2)])).toEqual([
      { kind: 'clear', alarmId: 10, ruleId: 'manhole.tilt' },
      { kind: 'clear', alarmId: 11, ruleId: 'manhole.open' },
    ]);
  });

  it('does nothing for inactive rules without an alarm, cleared alarms, or rules without an outcome', () => {
    expect(planAlarms([], [outcome('manhole.tilt', false)])).toEqual([]);
    expect(planAlarms([alarm({ status: 'cleared' })], [outcome('manhole.tilt', false)])).toEqual([]);
    expect(planAlarms([alarm()], [])).toEqual([]);
  });

  it('opens a new alarm after the previous one for the rule was cleared', () => {
    expect(planAlarms([alarm({ status: 'cleared' })], [outcome('manhole.tilt', true)])).toEqual([
      { kind: 'open', ruleId: 'manhole.tilt', severity: 1 },
    ]);
  });
});

describe('escalationDue', () => {
  const openedAt = new Date('2025-03-01T08:00:00Z');
  const after = (minutes: number) => new Date(openedAt.getTime() + minutes * 60_000);
  const subject = (escalationLevel: number, status: 'open' | 'acknowledged' | 'cleared' = 'open') => ({
    status,
    openedAt,
    escalationLevel,
  });

  it('escalates an unacknowledged alarm to level 1 after 10 minutes', () => {
    expect(escalationDue(subject(0), after(9.99), DEFAULT_ESCALATION)).toBeNull();
    expect(escalationDue(subject(0), after(10), DEFAULT_ESCALATION)).toBe(1);
  });

  it('escalates to level 2 after 30 minutes from opening, one level per call', () => {
    expect(escalationDue(subject(1), after(20), DEFAULT_ESCALATION)).toBeNull();
    expect(escalationDue(subject(1), after(30), DEFAULT_ESCALATION)).toBe(2);
    expect(escalationDue(subject(0), after(45), DEFAULT_ESCALATION)).toBe(1);
  });

  it('stops at the last level of the policy', () => {
    expect(escalationDue(subject(2), after(600), DEFAULT_ESCALATION)).toBeNull();
  });

  it('never escalates acknowledged or cleared alarms', () => {
    expect(escalationDue(subject(0, 'acknowledged'), after(60), DEFAULT_ESCALATION)).toBeNull();
    expect(escalationDue(subject(0, 'cleared'), after(60), DEFAULT_ESCALATION)).toBeNull();
  });
});

describe('needsCase', () => {
  it('is true for a critical alarm without a case only', () => {
    expect(needsCase({ severity: 2, caseId: null })).toBe(true);
    expect(needsCase({ severity: 2, caseId: 5 })).toBe(false);
    expect(needsCase({ severity: 1, caseId: null })).toBe(false);
  });
});
