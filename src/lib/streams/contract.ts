// The one event contract between the Socket.IO server and the browser. Both sides import this file.
// Wire versions: bump SENSOR_WIRE_VERSION or ALARM_WIRE_VERSION when a frame's shape changes.

export const SENSOR_WIRE_VERSION = 1;

/** Sensor states in wire order: the index is the byte sent for a sensor. */
export const SENSOR_STATES = ['normal', 'warning', 'alarm', 'offline'] as const;
export type SensorStateName = (typeof SENSOR_STATES)[number];
/** 0 normal, 1 warning, 2 alarm, 3 offline. */
export type SensorStateCode = 0 | 1 | 2 | 3;

/** Binary payloads arrive as ArrayBuffer in the browser and are sent as Buffer/Uint8Array by Node. */
export type Bytes = ArrayBuffer | Uint8Array;

/** The whole sensor layer at one sequence number. Arrays are parallel, one entry per sensor. */
export interface SensorSnapshotFrame {
  v: typeof SENSOR_WIRE_VERSION;
  /** Everything up to and including this sequence number is in the frame. */
  seq: number;
  count: number;
  /** [lon, lat] that `offsets` are relative to (keeps float32 precise to centimetres). */
  origin: [number, number];
  /** Int32: sensor ids. */
  ids: Bytes;
  /** Float32, interleaved [dLon, dLat] from `origin`. */
  offsets: Bytes;
  /** Uint8: index into `families`. */
  familyIndex: Bytes;
  /** Uint8: SensorStateCode. */
  states: Bytes;
  /** Family codes, e.g. ["manhole", "hydrant", …]; `familyIndex` points into it. */
  families: string[];
}

/** Changes after `fromSeq` up to and including `seq`: the current state of each sensor that changed. */
export interface SensorDeltaFrame {
  v: typeof SENSOR_WIRE_VERSION;
  fromSeq: number;
  seq: number;
  /** Int32: sensor ids. */
  ids: Bytes;
  /** Uint8: SensorStateCode. */
  states: Bytes;
  /**
   * Sensors per state in the whole city after this delta, [normal, warning, alarm, offline]. Sent to
   * clients whose deltas are scoped to a viewport, whose own table then no longer counts everything.
   */
  counts?: [number, number, number, number];
  /**
   * The same per family, sent along with `counts`: family f's state s at f * 4 + s, families in the
   * snapshot's order (for the map filter's counts when some families are hidden).
   */
  familyCounts?: number[];
}

/**
 * The current state of sensors that came into view: applied as is (they were read after every delta
 * already sent), without moving the client's sequence.
 */
export interface SensorCatchupFrame {
  v: typeof SENSOR_WIRE_VERSION;
  /** Int32: sensor ids. */
  ids: Bytes;
  /** Uint8: SensorStateCode. */
  states: Bytes;
}

/** [west, south, east, north] in degrees. */
export type Bbox = [number, number, number, number];

export interface ViewportRequest {
  /** Only deltas for sensors inside this box are wanted; null for the whole city. */
  bbox: Bbox | null;
}

/** Sent on connect: who the server thinks you are and what time it is there. */
export interface HelloFrame {
  serverTime: string;
  user: { username: string; displayName: string; role: string } | null;
}

/** A new 12345 hotline call, for the live ticker (no personal data). */
export interface TicketFrame {
  id: number;
  receivedAt: string;
  streetName: string | null;
  /** The first characters of the complaint. */
  summary: string;
}

/**
 * A case changed (an action, a new case, a repeat report, or a deadline that just became due soon or
 * overdue). Clients refetch what they show; the frame says enough to decide whether to.
 */
export interface CaseFrame {
  code: string;
  /** The action taken, "receive", "linked" (repeat report) or "deadline". */
  action: string;
  state: string;
  departmentId: number | null;
  /** For "deadline": which deadline and where it now stands. */
  deadline?: 'due_soon' | 'overdue';
  at: string;
}

/** A scoring scheme version was stored. */
export interface ScoresChangedFrame {
  schemeId: number;
  /** Whether it became the active version (scores shown by default changed). */
  active: boolean;
  at: string;
}

export interface SubscribeRequest {
  /** Last sequence the client applied; null or absent for a fresh snapshot. */
  sinceSeq?: number | null;
}

export interface SubscribeAck {
  ok: boolean;
  /** "snapshot" when a full frame follows, "resume" when a delta from sinceSeq follows. */
  mode?: 'snapshot' | 'resume';
  error?: string;
}

// Live alarms. Bump ALARM_WIRE_VERSION when an alarm frame's shape changes.

export const ALARM_WIRE_VERSION = 1;

/** An alarm's lifecycle: open → acknowledged → cleared (or open → cleared). */
export type AlarmStatus = 'open' | 'acknowledged' | 'cleared';

/** One alarm as the live feed sends it: its whole current state, not what changed. */
export interface AlarmFeedItem {
  /** Alarm id. */
  id: number;
  /** The sensor that raised it. */
  sensorId: number;
  /** That sensor's code, e.g. "MH-000123". */
  sensorCode: string;
  /** Rule that fired, e.g. "manhole.tilt". */
  ruleId: string;
  /** 1 warning, 2 critical. */
  severity: 1 | 2;
  /** Where it is in its lifecycle. */
  status: AlarmStatus;
  /** When it was raised (ISO 8601). */
  openedAt: string;
  /** Display name of the officer who acknowledged it, or null. */
  acknowledgedBy: string | null;
  /** When it was acknowledged (ISO 8601), or null. */
  acknowledgedAt: string | null;
  /** When it cleared (ISO 8601), or null. */
  clearedAt: string | null;
  /** 0 until escalated; each escalation adds one. */
  escalationLevel: number;
  /** Code of the case it opened, or null. */
  caseCode: string | null;
  /** Feed sequence number of its last change. */
  seq: number;
}

/** Alarms not yet cleared in the whole city, counted when the frame was read. */
export interface OpenAlarmCounts {
  /** Not yet acknowledged. */
  open: number;
  /** Acknowledged, not yet cleared. */
  acknowledged: number;
  /** Critical ones among both. */
  critical: number;
}

/** The alarms not yet cleared, at one sequence number: the answer to 'alarms:subscribe'. */
export interface AlarmsSnapshotFrame {
  v: typeof ALARM_WIRE_VERSION;
  /** Every change up to and including this sequence number is reflected. */
  seq: number;
  counts: OpenAlarmCounts;
  /** Critical first, then newest first; cut to the server's limit (`counts` is never cut). */
  alarms: AlarmFeedItem[];
}

/** Alarms that changed after `fromSeq` up to and including `seq`, each in its current state. */
export interface AlarmsChangedFrame {
  v: typeof ALARM_WIRE_VERSION;
  fromSeq: number;
  seq: number;
  counts: OpenAlarmCounts;
  /** In feed order; cleared ones included (their last frame). */
  alarms: AlarmFeedItem[];
}

export type AlarmsSubscribeAck = { ok: true; snapshot: AlarmsSnapshotFrame } | { ok: false; error: string };

export interface ServerToClientEvents {
  hello: (frame: HelloFrame) => void;
  'sensors:snapshot': (frame: SensorSnapshotFrame) => void;
  'sensors:delta': (frame: SensorDeltaFrame) => void;
  'sensors:catchup': (frame: SensorCatchupFrame) => void;
  'hotline:ticket': (frame: TicketFrame) => void;
  /** Alarms opened, acknowledged, escalated, linked to a case or cleared, on any node. */
  'alarms:changed': (frame: AlarmsChangedFrame) => void;
  'cases:changed': (frame: CaseFrame) => void;
  /** A new scoring scheme version was stored (on any node): performance pages reload their scores. */
  'scores:changed': (frame: ScoresChangedFrame) => void;
  /**
   * The node serving this connection is stopping; the connection closes next and the client reconnects
   * (through the balancer, to another node) after about `reconnectInMs`, resuming from its sequence.
   */
  'server:draining': (frame: { reconnectInMs: number }) => void;
}

export interface ClientToServerEvents {
  'sensors:subscribe': (req: SubscribeRequest, ack: (res: SubscribeAck) => void) => void;
  /**
   * Scopes the deltas to a viewport (after a subscribe; a new subscribe resets it to the whole city). The
   * optional ack is called once the server applies it: deltas sent after that follow the new scope.
   */
  'sensors:viewport': (req: ViewportRequest, ack?: () => void) => void;
  /** Answers with the alarms not yet cleared, then sends 'alarms:changed' frames. */
  'alarms:subscribe': (ack: (res: AlarmsSubscribeAck) => void) => void;
}

/** Room every sensor-map subscriber joins. */
export const SENSOR_ROOM = 'sensors';

/** Room every live-alarm subscriber joins. */
export const ALARM_ROOM = 'alarms';
