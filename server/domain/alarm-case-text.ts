// The words of a case a sensor alarm opened: its title, description and first note. One place, used by the
// live alarm path (alarms.repository openCase) and the history generator, so both write the same text.
// Pure.

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

/** The title, description and first note of the case. */
export function alarmCaseText(f: AlarmCaseFacts): { title: string; description: string; note: string } {
  const title = `${f.familyName}告警：${f.ruleId}（${f.sensorCode}）`;
  const note = `由告警 #${f.alarmId} 自动立案：传感器 ${f.sensorCode}，规则 ${f.ruleId}，${f.critical ? '严重' : '警告'}`;
  return { title, description: note, note };
}
