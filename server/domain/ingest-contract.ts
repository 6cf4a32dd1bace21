// The contract between device ingest (server/ingest/) and the pure rules (server/domain/): what a device
// message becomes, why one is refused, and what evaluating the rules returns. Types only.
import type { SensorFamily } from './sensor-state';

/** Why a device message was refused. Each one is counted and kept in dead_letters. */
export const DEAD_LETTER_REASONS = [
  /** The payload is not valid JSON (or an NDJSON line is not). */
  'malformed_json',
  /** The message is larger than the configured limit. */
  'oversize',
  /** The MQTT topic does not follow citynerve/<district>/<family>/<sensor>/reading. */
  'bad_topic',
  /** No sensor with that code is registered. */
  'unknown_sensor',
  /** The family named by the topic or payload is not the registered sensor's family. */
  'wrong_family',
  /** A field the family requires is absent. */
  'missing_field',
  /** A field has the wrong type (e.g. a string where a number belongs). */
  'wrong_type',
  /** A value is outside the physical range of the quantity (e.g. tilt of 400°). */
  'out_of_range',
  /** The timestamp is missing, unparsable or before 2000. */
  'bad_timestamp',
  /** The timestamp is further in the future than the allowed clock skew. */
  'future_timestamp',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** A refused message, ready to store. */
export interface Rejection {
  reason: DeadLetterReason;
  /** Names the field or value and the problem, e.g. "tilt_deg = 400 is outside 0..90". */
  detail: string;
  /** The sensor code the message claimed, when it could be read. */
  sensorCode?: string;
}

/** A reading whose envelope parsed: which sensor, when, and its raw values (not yet checked per family). */
export interface DeviceReading {
  sensorCode: string;
  /** Family the topic or payload claims; checked against the registry. */
  family?: string;
  /** Device time of the measurement. */
  ts: Date;
  values: Record<string, unknown>;
}

/** A registered sensor as ingest needs it (kept in a cache, refreshed from the database). */
export interface SensorInfo {
  id: number;
  code: string;
  family: SensorFamily;
  /** The family's rules with this sensor's overrides applied. */
  rules: readonly unknown[];
}

/** What the rules remember for one sensor between readings (stored in sensor_state.rule_state). */
export type RuleMemory = Record<string, unknown>;

/** One rule's verdict on a reading. */
export interface RuleOutcome {
  ruleId: string;
  /** 1 warning, 2 critical. */
  severity: 1 | 2;
  /** True while the rule's condition holds (after hysteresis and duration). */
  active: boolean;
}

/** The result of evaluating a sensor's rules on one reading. */
export interface Evaluation {
  /** New sensor state: 0 normal, 1 warning, 2 alarm (3 offline comes from the heartbeat check). */
  state: 0 | 1 | 2;
  memory: RuleMemory;
  /** Every rule's verdict; ingest opens, updates or clears alarms from these. */
  outcomes: RuleOutcome[];
  /** True when the reading asks for maintenance (e.g. low battery) without being an alarm. */
  maintenance: boolean;
  /** Ids of the maintenance rules that are active (e.g. "manhole.battery"). */
  maintenanceRuleIds?: string[];
  /** True when the reading was not newer than the last one evaluated: memory untouched, no outcomes. */
  stale?: boolean;
}
