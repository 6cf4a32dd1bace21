// The words of a case a sensor alarm opened: its title, description and first note, plus their
// language-neutral form (`text`, stored next to them and rendered in the reader's language). One place, used
// by the live alarm path (alarms.repository openCase) and the history generator, so both write the same.
// Pure.
import type { AlarmCaseText } from '../../src/lib/api/system-text';
import { systemDescription, systemTitle } from '../../src/lib/i18n/system-text';

/** What an alarm case's text is made from. */
export interface AlarmCaseFacts {
  /** alarms.id of the alarm that opened the case. */
  alarmId: number;
  /** The sensor family's Chinese name, e.g. 井盖. */
  familyName: string;
  /** The rule that fired, e.g. "manhole.tilt". */
  ruleId: string;
  /** The sensor's device code. */
  sensorCode: string;
  /** True for a critical alarm. */
  critical: boolean;
}

/** The case's text: Chinese for search and old readers, and the neutral form every screen renders from. */
export interface AlarmCaseWords {
  /** Chinese title, no internal ids (the rule is named, e.g. "井盖告警：井盖倾斜（MH-000123）"). */
  title: string;
  /** Chinese description. */
  description: string;
  /** Chinese note of the case's first event (same words as the description). */
  note: string;
  /** Language-neutral form: store it in cases.system_text and in the first event's data.text. */
  text: AlarmCaseText;
}

/** The family code is the rule id's prefix ("manhole.tilt" → "manhole"). */
export function ruleFamily(ruleId: string): string {
  const dot = ruleId.indexOf('.');
  return dot > 0 ? ruleId.slice(0, dot) : ruleId;
}

/** The title, description, first note and neutral form of the case. */
export function alarmCaseText(f: AlarmCaseFacts): AlarmCaseWords {
  const text: AlarmCaseText = {
    key: 'alarm_case',
    family: ruleFamily(f.ruleId),
    rule: f.ruleId,
    sensor: f.sensorCode,
    alarm: f.alarmId,
    critical: f.critical,
  };
  // The Chinese columns are worded by the same catalogue the screens use, so search finds what people see.
  const title = systemTitle('zh-CN', text, f.familyName);
  const note = systemDescription('zh-CN', text);
  return { title, description: note, note, text };
}
