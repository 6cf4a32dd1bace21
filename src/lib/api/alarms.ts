// The JSON of the alarm endpoints: written once, used by the server and the browser.

/** One alarm as the officer's panel shows it. */
export interface AlarmView {
  id: number;
  sensorId: number;
  sensorCode: string;
  /** Rule that fired, e.g. "manhole.tilt". */
  ruleId: string;
  /** 1 warning, 2 critical. */
  severity: 1 | 2;
  status: 'open' | 'acknowledged' | 'cleared';
  openedAt: string;
  lastSeenAt: string;
  occurrences: number;
  /** Reading values that last fired the rule. */
  lastValue: Record<string, unknown> | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  clearedAt: string | null;
  escalationLevel: number;
  /** Case opened for a critical alarm, with its code. */
  caseId: number | null;
  caseCode: string | null;
}

/** GET /api/sensors/:id/alarms → newest first (open ones and the last 20 closed). */
export interface SensorAlarmsResponse {
  alarms: AlarmView[];
}

/** POST /api/alarms/:id/ack → the alarm after acknowledging (409 when already cleared). */
export interface AckResponse {
  alarm: AlarmView;
}
