// The JSON of GET and PUT /api/sensors/:id/rules: written once, used by the server and the sensor panel.
// The server's Rule and RuleOverride (server/domain/rules.ts) are assignable to these shapes.

/** One alarm rule as the panel shows it (a family rule, or the same rule with a sensor's overrides applied). */
export interface RuleView {
  /** Stable id "<family>.<name>", e.g. "manhole.tilt". */
  id: string;
  /** threshold: numeric limit with hysteresis; flag: boolean signal; code: non-zero code; battery: maintenance. */
  kind: 'threshold' | 'flag' | 'code' | 'battery';
  /** The reading field the rule watches. */
  field: string;
  /** False when the rule is switched off. */
  enabled?: boolean;
  /** Threshold rules: "above" fires at or over `on`, "below" at or under it. */
  comparison?: 'above' | 'below';
  /** Level at which the rule fires (threshold, battery). */
  on?: number;
  /** Level the value must get back past before the rule clears (threshold, battery). */
  off?: number;
  /** 1 warning, 2 critical (threshold, flag, code). */
  severity?: 1 | 2;
  /** A worse level that raises an active warning to critical (threshold). */
  critical?: { on: number; off: number };
  /** How long the condition must hold before the rule fires, seconds. */
  forSeconds?: number;
  /** Only applies while another boolean field has this value. */
  when?: { field: string; equals: boolean };
}

/** One sensor's change to one rule; only the fields present are changed. */
export interface RuleOverrideView {
  /** New firing level (threshold, battery). */
  on?: number;
  /** New clearing level (threshold, battery). */
  off?: number;
  /** New severity (threshold, flag, code). */
  severity?: 1 | 2;
  /** New critical band, both levels (threshold). */
  critical?: { on: number; off: number };
  /** New duration in whole seconds; 0 removes it (threshold, flag, code). */
  forSeconds?: number;
  /** False switches the rule off for this sensor. */
  enabled?: boolean;
}

/** A sensor's overrides keyed by rule id. */
export type RuleOverridesView = Record<string, RuleOverrideView>;

/** The last change of a sensor's overrides, from the audit trail. */
export interface RuleOverrideChangeView {
  /** Display name of who changed them (null if the account is gone). */
  changedBy: string | null;
  /** Role of who changed them at the time. */
  actorRole: string;
  /** When (ISO). */
  changedAt: string;
}

/** GET /api/sensors/:id/rules, and the answer of a successful PUT. */
export interface SensorRulesResponse {
  /** sensors.id */
  sensorId: number;
  /** The device code. */
  code: string;
  /** Family code, e.g. "manhole". */
  family: string;
  /** The family's rules (stored for the family, or the built-in defaults). */
  familyRules: RuleView[];
  /** The sensor's overrides as stored; null when it has none. */
  overrides: RuleOverridesView | null;
  /** What ingest evaluates for this sensor: the family rules with the overrides applied. */
  effective: RuleView[];
  /** Set when the stored overrides are invalid (written behind the API's back): ingest then uses the family rules. */
  overridesError: string | null;
  /** Whether the signed-in user may change the overrides. */
  canEdit: boolean;
  /** The last recorded change, or null when none was recorded. */
  lastChange: RuleOverrideChangeView | null;
}
