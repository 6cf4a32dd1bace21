// The JSON of GET /api/sensors/:id: written once, used by the server's repository and the sensor panel.

/** One past reading. */
export interface SensorReading {
  /** Device time (ISO). */
  ts: string;
  /** State code after this reading. */
  state: number;
  /** Family-specific values, e.g. { tilt_deg: 3.2 }. */
  reading: Record<string, number | boolean>;
}

/** One sensor with its place, state and recent readings. */
export interface SensorDetail {
  id: number;
  code: string;
  /** Family code, e.g. "manhole". */
  family: string;
  familyName: string;
  familyNameEn: string;
  /** 0 normal, 1 warning, 2 alarm, 3 offline. */
  state: number;
  /** Null for a sensor outside every street (e.g. after a boundary import). */
  districtName: string | null;
  districtNameEn: string | null;
  streetName: string | null;
  streetNameEn: string | null;
  lon: number;
  lat: number;
  /** Device time of the last reading (ISO), null before the first. */
  reportedAt: string | null;
  /** When the state last changed (ISO). */
  changedAt: string;
  reading: Record<string, number | boolean> | null;
  /** Newest first, up to 20. */
  readings: SensorReading[];
  /**
   * The reading field of the rule behind the sensor's most severe alarm not yet cleared (null when none):
   * the chart starts on what fired.
   */
  firingField: string | null;
}
