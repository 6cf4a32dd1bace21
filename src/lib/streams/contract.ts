// The one event contract between the Socket.IO server and the browser. Both sides import this file.
// Wire version: bump SENSOR_WIRE_VERSION when a frame's shape changes.

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

export interface ServerToClientEvents {
  hello: (frame: HelloFrame) => void;
  'sensors:snapshot': (frame: SensorSnapshotFrame) => void;
  'sensors:delta': (frame: SensorDeltaFrame) => void;
  'sensors:catchup': (frame: SensorCatchupFrame) => void;
  'hotline:ticket': (frame: TicketFrame) => void;
}

export interface ClientToServerEvents {
  'sensors:subscribe': (req: SubscribeRequest, ack: (res: SubscribeAck) => void) => void;
  /** Scopes the deltas to a viewport (after a subscribe; a new subscribe resets it to the whole city). */
  'sensors:viewport': (req: ViewportRequest) => void;
}

/** Room every sensor-map subscriber joins. */
export const SENSOR_ROOM = 'sensors';
