// The language-neutral form of text the system itself writes about a case (an alarm case's title,
// description and first note): stored as jsonb next to the Chinese text, rendered in the reader's language.

/** The facts an alarm-born case's text is worded from. */
export interface AlarmCaseText {
  /** Which message this is. */
  key: 'alarm_case';
  /** Sensor family code, e.g. "manhole". */
  family: string;
  /** The rule that fired, e.g. "manhole.tilt" (shown by name, the id only as small detail). */
  rule: string;
  /** The sensor's device code, e.g. "MH-000123". */
  sensor: string;
  /** alarms.id of the alarm that opened the case; 0 when unknown (old rows whose title alone was read). */
  alarm: number;
  /** True for a critical alarm. */
  critical: boolean;
}

/** Every language-neutral system text (one kind today). */
export type SystemText = AlarmCaseText;

/** True when `value` (e.g. a jsonb column read back) is a well-formed system text. */
export function isSystemText(value: unknown): value is SystemText {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    v.key === 'alarm_case' &&
    typeof v.family === 'string' &&
    typeof v.rule === 'string' &&
    typeof v.sensor === 'string' &&
    typeof v.alarm === 'number' &&
    typeof v.critical === 'boolean'
  );
}

/** A jsonb column as read back (an object, or a JSON string from some drivers): the text, or null. */
export function systemTextOf(value: unknown): SystemText | null {
  if (typeof value === 'string') {
    try {
      return systemTextOf(JSON.parse(value) as unknown);
    } catch {
      return null;
    }
  }
  return isSystemText(value) ? value : null;
}
