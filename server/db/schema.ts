// The drizzle schema: the one description of every table. Migrations in db/migrations are generated from it.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { multiPolygon4326, point4326 } from './geometry';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** 区: a city district. */
export const districts = pgTable(
  'districts',
  {
    id: serial('id').primaryKey(),
    /** Stable code, e.g. "xuhui". */
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    nameEn: text('name_en').notNull(),
    geom: multiPolygon4326('geom'),
    /** True while the geometry is generated rather than imported from an official boundary file. */
    approximate: boolean('approximate').notNull().default(true),
  },
  (t) => [index('districts_geom_gist').using('gist', t.geom)],
);

/** 街道 / 镇: a street (sub-district) or town inside a district. */
export const streets = pgTable(
  'streets',
  {
    id: serial('id').primaryKey(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    nameEn: text('name_en').notNull(),
    /** "street" (街道) or "town" (镇). */
    kind: text('kind').notNull().default('street'),
    /** Official area in km², a published fact (not the generated geometry's area). */
    areaKm2: real('area_km2'),
    centroid: point4326('centroid'),
    geom: multiPolygon4326('geom'),
    approximate: boolean('approximate').notNull().default(true),
  },
  (t) => [index('streets_geom_gist').using('gist', t.geom), index('streets_district_idx').on(t.districtId)],
);

/** 网格: the smallest patrol area, a square cut to its street. */
export const gridCells = pgTable(
  'grid_cells',
  {
    id: serial('id').primaryKey(),
    streetId: integer('street_id')
      .notNull()
      .references(() => streets.id),
    code: text('code').notNull().unique(),
    geom: multiPolygon4326('geom').notNull(),
  },
  (t) => [index('grid_cells_geom_gist').using('gist', t.geom), index('grid_cells_street_idx').on(t.streetId)],
);

/** 委办局 / 街道办事处 / 区行政服务中心: anybody that receives work orders. */
export const departments = pgTable('departments', {
  id: serial('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  nameEn: text('name_en').notNull(),
  /** "functional" (委办局), "street_office" (街道办事处) or "service_center" (区行政服务中心). */
  kind: text('kind').notNull(),
  /** The street a street office governs; null for other kinds. */
  streetId: integer('street_id').references(() => streets.id),
  /** The district a department belongs to; null for city-wide bodies. */
  districtId: integer('district_id').references(() => districts.id),
});

/** A sensor family (manhole cover, old elevator, fire hydrant, …). */
export const sensorTypes = pgTable('sensor_types', {
  id: serial('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  nameEn: text('name_en').notNull(),
  /** The department that owns and repairs this family by default. */
  ownerDepartmentId: integer('owner_department_id').references(() => departments.id),
  /** Seconds without a report after which a device counts as offline. */
  heartbeatSeconds: integer('heartbeat_seconds').notNull().default(3600),
  /** Default alarm rules of the family, as data (see server/domain/rules.ts). */
  rules: jsonb('rules')
    .$type<unknown[]>()
    .notNull()
    .default(sql`'[]'::jsonb`),
  /** Which district department owns the family, e.g. "housing" → "<district>-housing". */
  ownerDepartmentKey: text('owner_department_key'),
});

/** The sensor registry: one row per installed device. */
export const sensors = pgTable(
  'sensors',
  {
    id: serial('id').primaryKey(),
    /** The device's own identifier, e.g. "MH-JA-000123". */
    code: text('code').notNull().unique(),
    typeId: integer('type_id')
      .notNull()
      .references(() => sensorTypes.id),
    streetId: integer('street_id').references(() => streets.id),
    gridCellId: integer('grid_cell_id').references(() => gridCells.id),
    geom: point4326('geom').notNull(),
    installedAt: tz('installed_at').notNull().defaultNow(),
    /** Per-sensor changes to the family's rules, keyed by rule id (see server/domain/rules.ts). */
    ruleOverrides: jsonb('rule_overrides').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('sensors_geom_gist').using('gist', t.geom),
    index('sensors_street_idx').on(t.streetId),
    index('sensors_type_idx').on(t.typeId),
  ],
);

/**
 * Latest state per sensor. `seq` is set by a trigger from one global sequence on every change. Stored with
 * fillfactor 70 (migration 0013): device ingest rewrites every row on every reading, and the free room on
 * each page lets PostgreSQL write the new row version there (a HOT update, no index entries) instead of on
 * another page with a new entry in both indexes.
 */
export const sensorState = pgTable(
  'sensor_state',
  {
    sensorId: integer('sensor_id')
      .primaryKey()
      .references(() => sensors.id, { onDelete: 'cascade' }),
    /** 0 normal, 1 warning, 2 alarm, 3 offline (see server/domain/sensor-state.ts). */
    state: smallint('state').notNull().default(0),
    /** The last reading's values, family-specific. */
    reading: jsonb('reading').$type<Record<string, number | boolean>>(),
    /** Device time of the last reading. */
    reportedAt: tz('reported_at'),
    /** When `state` last changed. */
    changedAt: tz('changed_at').notNull().defaultNow(),
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
    /** What the rules remember between readings (hysteresis, since when a condition holds). */
    ruleState: jsonb('rule_state').$type<Record<string, unknown>>(),
  },
  (t) => [index('sensor_state_seq_idx').on(t.seq)],
);

/**
 * Reading history, kept for a retention period. No foreign key to sensors (migration 0013): its check
 * locked the sensor's row for every stored reading, which cost PostgreSQL as much as the insert itself.
 * Ingest stores history only for sensors whose sensor_state row (which does reference sensors) it writes
 * in the same statement, and a trigger on sensors deletes a removed sensor's history as the cascade did.
 * Partitioned by range of ts, one partition per UTC day plus a DEFAULT one (migration 0015, which drizzle
 * cannot express): retention drops whole days instead of deleting rows (readings-partitions.repository.ts).
 */
export const sensorReadings = pgTable(
  'sensor_readings',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    /** sensors.id (kept consistent by ingest and the sensors_delete_readings trigger, see above). */
    sensorId: integer('sensor_id').notNull(),
    ts: tz('ts').notNull(),
    reading: jsonb('reading').$type<Record<string, number | boolean>>().notNull(),
    state: smallint('state').notNull(),
  },
  (t) => [
    // A partitioned table's primary key must contain the partition key (ts).
    primaryKey({ columns: [t.id, t.ts] }),
    index('sensor_readings_sensor_ts_idx').on(t.sensorId, t.ts.desc()),
  ],
);

/** People who log in. */
export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  /** scrypt hash in the form "scrypt$N$r$p$salt$hash" (base64). */
  passwordHash: text('password_hash').notNull(),
  /** "admin", "leader", "officer" (duty officer) or "staff" (department staff). */
  role: text('role').notNull(),
  /** For department staff: the department (or street office) they work for. */
  departmentId: integer('department_id').references(() => departments.id),
  disabled: boolean('disabled').notNull().default(false),
  /** The UI language the user last chose ("zh-CN" or "en"); null until they choose. */
  language: text('language'),
  createdAt: tz('created_at').notNull().defaultNow(),
});

/** Login sessions; the cookie holds a random token, the table only its SHA-256. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: tz('created_at').notNull().defaultNow(),
    expiresAt: tz('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** 12345 hotline tickets: one per call / web message / Open311 request. Holds personal data. */
export const hotlineTickets = pgTable(
  'hotline_tickets',
  {
    id: serial('id').primaryKey(),
    receivedAt: tz('received_at').notNull().defaultNow(),
    /** "phone", "web", "app", "open311", "letter". */
    channel: text('channel').notNull(),
    callerName: text('caller_name'),
    callerPhone: text('caller_phone'),
    callerEmail: text('caller_email'),
    text: text('text').notNull(),
    address: text('address'),
    geom: point4326('geom'),
    /** "point" (picked or sent), "address" (placed from the address text), "unplaced" (needs manual placement). */
    placement: text('placement').notNull().default('point'),
    streetId: integer('street_id').references(() => streets.id),
    gridCellId: integer('grid_cell_id').references(() => gridCells.id),
    /** The case this ticket was turned into or linked to. */
    caseId: integer('case_id'),
    /** "sim" for simulator-made tickets, otherwise the intake channel's source. */
    source: text('source').notNull().default('manual'),
    /** Category code (see server/domain/case-categories.ts): chosen by the operator or the classifier. */
    category: text('category'),
    /** The classifier's confidence in its first choice, 0–1; null when not classified. */
    confidence: real('confidence'),
    /** The classifier's top 3: [{ category, score }]. */
    suggestions: jsonb('suggestions').$type<{ category: string; score: number }[]>(),
    /** True when this ticket was linked to an existing case as a repeat report. */
    duplicate: boolean('duplicate').notNull().default(false),
    /** Open311 token handed out at creation, for looking the request up before it has a case. */
    token: text('token').unique(),
    /** The user who took the call (hotline operator); null for Open311 and the simulator. */
    takenBy: integer('taken_by').references(() => users.id),
  },
  (t) => [
    index('hotline_tickets_geom_gist').using('gist', t.geom),
    index('hotline_tickets_received_idx').on(t.receivedAt),
    index('hotline_tickets_case_idx').on(t.caseId),
  ],
);

/** 工单: a work order, the current state of its event history (case_events is the record). */
export const cases = pgTable(
  'cases',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull().unique(),
    title: text('title').notNull(),
    /** The complaint or alarm in full. */
    description: text('description'),
    /**
     * Language-neutral form of a title and description the system wrote (alarm cases: message key and its
     * facts, see src/lib/api/system-text.ts); null for a citizen's words. Screens render from it.
     */
    systemText: jsonb('system_text').$type<Record<string, unknown>>(),
    /** Category code (see server/domain/case-categories.ts). */
    category: text('category'),
    /** See CASE_STATES in server/domain/case-workflow.ts. */
    state: text('state').notNull().default('received'),
    /** 1 urgent, 2 normal, 3 low. */
    priority: smallint('priority').notNull().default(2),
    /** "hotline", "open311" or "sensor". */
    source: text('source').notNull().default('hotline'),
    /** True while it waits in the triage queue (classifier unsure, or unplaced address). */
    triage: boolean('triage').notNull().default(false),
    address: text('address'),
    streetId: integer('street_id').references(() => streets.id),
    gridCellId: integer('grid_cell_id').references(() => gridCells.id),
    departmentId: integer('department_id').references(() => departments.id),
    sensorId: integer('sensor_id').references(() => sensors.id),
    geom: point4326('geom'),
    /** How many citizens reported it (linked tickets). */
    reports: integer('reports').notNull().default(1),
    dispatchedAt: tz('dispatched_at'),
    /** Signing deadline (working hours after dispatch). */
    signDueAt: tz('sign_due_at'),
    /** When the assigned unit signed: the resolution clock starts here. */
    signedAt: tz('signed_at'),
    /** Working hours allowed from signing to resolution, extensions included. */
    allowedHours: real('allowed_hours'),
    /** When the resolution deadline becomes due soon (the last fifth of the allowed time, at least 2 h). */
    dueSoonAt: tz('due_soon_at'),
    /** Resolution deadline. */
    dueAt: tz('due_at'),
    /** A requested extension waiting for a decision, in working hours. */
    pendingExtensionHours: real('pending_extension_hours'),
    resolvedAt: tz('resolved_at'),
    /** "satisfied", "partly" or "unsatisfied". */
    rating: text('rating'),
    closedAt: tz('closed_at'),
    /** Bumped by every action: two concurrent actions cannot both apply. */
    version: integer('version').notNull().default(0),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('cases_department_state_idx').on(t.departmentId, t.state),
    index('cases_geom_gist').using('gist', t.geom),
    index('cases_state_updated_idx').on(t.state, t.updatedAt),
    index('cases_updated_idx').on(t.updatedAt),
    index('cases_created_idx').on(t.createdAt),
    index('cases_due_idx').on(t.dueAt),
    index('cases_due_soon_idx').on(t.dueSoonAt),
    index('cases_sign_due_idx').on(t.signDueAt),
    index('cases_category_idx').on(t.category),
    index('cases_source_state_idx').on(t.source, t.state),
  ],
);

/** Append-only history of every change to a case. */
export const caseEvents = pgTable(
  'case_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    at: tz('at').notNull().defaultNow(),
    actorUserId: integer('actor_user_id').references(() => users.id),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    fromState: text('from_state'),
    toState: text('to_state'),
    note: text('note'),
    /** Structured details of the action (department, rating, hours, ticket, …). */
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('case_events_case_idx').on(t.caseId, t.at),
    // Replay: the events up to an instant, and the next change after one.
    index('case_events_at_idx').on(t.at),
  ],
);

/** An officer's correction of the classifier: the text and the category it should have had. */
export const classificationCorrections = pgTable('classification_corrections', {
  id: serial('id').primaryKey(),
  ticketId: integer('ticket_id').references(() => hotlineTickets.id),
  text: text('text').notNull(),
  predicted: text('predicted'),
  corrected: text('corrected').notNull(),
  userId: integer('user_id').references(() => users.id),
  at: tz('at').notNull().defaultNow(),
});

/** Open311 API keys: who may create service requests. Only a hash of each key is kept. */
export const open311Keys = pgTable('open311_keys', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  disabled: boolean('disabled').notNull().default(false),
  createdAt: tz('created_at').notNull().defaultNow(),
});

/** Settings a node reads at start (e.g. whether the demo city was generated). */
export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: tz('updated_at')
    .notNull()
    .default(sql`now()`),
});

/** An alarm: at most one open per sensor and rule; repeats update it. */
export const alarms = pgTable(
  'alarms',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sensorId: integer('sensor_id')
      .notNull()
      .references(() => sensors.id, { onDelete: 'cascade' }),
    /** The rule that fired, e.g. "manhole.tilt". */
    ruleId: text('rule_id').notNull(),
    /** 1 warning, 2 critical. */
    severity: smallint('severity').notNull(),
    /** "open", "acknowledged" or "cleared". */
    status: text('status').notNull().default('open'),
    openedAt: tz('opened_at').notNull(),
    /** Time of the last reading that kept the alarm up. */
    lastSeenAt: tz('last_seen_at').notNull(),
    /** How many readings fired the rule while the alarm was open. */
    occurrences: integer('occurrences').notNull().default(1),
    /** The reading values that last fired it. */
    lastValue: jsonb('last_value').$type<Record<string, unknown>>(),
    acknowledgedBy: integer('acknowledged_by').references(() => users.id),
    acknowledgedAt: tz('acknowledged_at'),
    clearedAt: tz('cleared_at'),
    /** 0 until escalated; each escalation of an unacknowledged alarm adds one. */
    escalationLevel: smallint('escalation_level').notNull().default(0),
    escalatedAt: tz('escalated_at'),
    /** The case a critical alarm opened. */
    caseId: integer('case_id').references(() => cases.id),
    /**
     * Position in the alarm change feed: set from alarm_feed_seq by a trigger on insert and on every change
     * of status, severity, acknowledgement, escalation or case (migration 0006); 0 until the first.
     */
    feedSeq: bigint('feed_seq', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    uniqueIndex('alarms_one_open_per_rule')
      .on(t.sensorId, t.ruleId)
      .where(sql`status <> 'cleared'`),
    index('alarms_sensor_idx').on(t.sensorId, t.openedAt),
    index('alarms_status_idx').on(t.status, t.openedAt),
    index('alarms_feed_seq_idx').on(t.feedSeq),
    // Replay: the next acknowledgement or clearance after an instant.
    index('alarms_acknowledged_idx').on(t.acknowledgedAt),
    index('alarms_cleared_idx').on(t.clearedAt),
  ],
);

/** A device message that was refused, with the reason; browsable by admins. */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    receivedAt: tz('received_at').notNull().defaultNow(),
    /** "mqtt" or "http". */
    channel: text('channel').notNull(),
    /** MQTT topic, or the HTTP gateway's code. */
    source: text('source'),
    /** Machine-readable reason, e.g. "unknown_sensor" (see server/domain/ingest). */
    reason: text('reason').notNull(),
    /** Human-readable detail naming the field or value. */
    detail: text('detail').notNull(),
    /** The sensor code the message claimed, when it could be read. */
    sensorCode: text('sensor_code'),
    /** The payload as received, cut to a few kilobytes. */
    payload: text('payload'),
  },
  (t) => [index('dead_letters_received_idx').on(t.receivedAt), index('dead_letters_reason_idx').on(t.reason)],
);

/**
 * Every dead letter ever counted, per reason: the counter that survives dead_letters' retention (old rows
 * are trimmed, their count stays here). Written in the same statement as the letters themselves.
 */
export const deadLetterTallies = pgTable('dead_letter_tallies', {
  /** Machine-readable reason, as in dead_letters.reason. */
  reason: text('reason').primaryKey(),
  /** Dead letters of this reason since the table was made (kept and trimmed alike). */
  count: bigint('count', { mode: 'number' }).notNull().default(0),
  /** When the last one arrived. */
  lastAt: tz('last_at').notNull().defaultNow(),
});

/** An HTTP ingest gateway and the hash of its key. */
export const gateways = pgTable('gateways', {
  id: serial('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  /** SHA-256 of the gateway key (the key itself is shown once, at creation). */
  keyHash: text('key_hash').notNull().unique(),
  disabled: boolean('disabled').notNull().default(false),
  createdAt: tz('created_at').notNull().defaultNow(),
});

/** Who changed a sensor's rule overrides, when, and from what to what. Append-only. */
export const ruleOverrideAudit = pgTable(
  'rule_override_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sensorId: integer('sensor_id')
      .notNull()
      .references(() => sensors.id, { onDelete: 'cascade' }),
    changedAt: tz('changed_at').notNull(),
    /** The user who changed them; users are disabled, not deleted, so this stays resolvable. */
    changedBy: integer('changed_by').references(() => users.id),
    /** The user's role at the time of the change. */
    actorRole: text('actor_role').notNull(),
    /** sensors.rule_overrides before the change (null: none). */
    before: jsonb('before').$type<Record<string, unknown>>(),
    /** sensors.rule_overrides after the change (null: cleared). */
    after: jsonb('after').$type<Record<string, unknown>>(),
  },
  (t) => [index('rule_override_audit_sensor_idx').on(t.sensorId, t.changedAt)],
);

/** Staff (or teams) per department and street office for resource allocation; admins edit it. */
export const unitCapacity = pgTable('unit_capacity', {
  departmentId: integer('department_id')
    .primaryKey()
    .references(() => departments.id),
  /** Staff or teams available for cases. */
  staff: integer('staff').notNull(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  /** The admin who set it; null when seeded. */
  updatedBy: integer('updated_by').references(() => users.id),
});

/** An accepted allocation recommendation: who accepted what, when. Append-only, for later review. */
export const allocationDecisions = pgTable(
  'allocation_decisions',
  {
    id: serial('id').primaryKey(),
    decidedAt: tz('decided_at').notNull().defaultNow(),
    userId: integer('user_id').references(() => users.id),
    /** The recommendation's kind: "move" or "night_patrol". */
    kind: text('kind').notNull(),
    /** The recommendation with the numbers behind it, as the leader saw it. */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    note: text('note'),
  },
  (t) => [index('allocation_decisions_decided_idx').on(t.decidedAt)],
);

/** A version of a department scoring scheme (server/domain/scoring.ts). Rows are never changed but `active`. */
export const scoringSchemes = pgTable(
  'scoring_schemes',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    /** Version within the name, from 1. */
    version: integer('version').notNull(),
    /** The scheme as configured: totalPoints and items (see src/lib/api/performance.ts). */
    scheme: jsonb('scheme').$type<Record<string, unknown>>().notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    /** The admin who stored it; null for the built-in default. */
    createdBy: integer('created_by').references(() => users.id),
    /** The version rankings use when none is asked for; one at a time. */
    active: boolean('active').notNull().default(false),
  },
  (t) => [uniqueIndex('scoring_schemes_name_version_idx').on(t.name, t.version)],
);

/** A unit's KPIs and score for one month under one scheme version, as last computed from the events. */
export const scoreSnapshots = pgTable(
  'score_snapshots',
  {
    id: serial('id').primaryKey(),
    schemeId: integer('scheme_id')
      .notNull()
      .references(() => scoringSchemes.id),
    /** Shanghai calendar month, "YYYY-MM". */
    month: text('month').notNull(),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id),
    /** The KPIs with the case ids behind each (UnitKpis in server/domain/kpis.ts). */
    kpis: jsonb('kpis').$type<Record<string, unknown>>().notNull(),
    /** The score with its explanations (Score in src/lib/api/performance.ts). */
    score: jsonb('score').$type<Record<string, unknown>>().notNull(),
    computedAt: tz('computed_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('score_snapshots_scheme_month_department_idx').on(t.schemeId, t.month, t.departmentId)],
);

/**
 * A case's holdings — the stretches during which one unit held it (domain/kpis.ts) — cut from its events.
 * A projection of case_events kept up to date with every event the case repository writes (and rebuilt
 * whenever the cut changes), so performance KPIs read one row per holding instead of every event.
 */
export const caseHoldings = pgTable(
  'case_holdings',
  {
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    /** 1 for the first holding of the case, 2 for the next … */
    seq: smallint('seq').notNull(),
    departmentId: integer('department_id').notNull(),
    /** "dispatch", "reassign" or "reopen". */
    startedBy: text('started_by').notNull(),
    startedAt: tz('started_at').notNull(),
    signDueAt: tz('sign_due_at'),
    signedAt: tz('signed_at'),
    /** The resolution deadline in force (signing's or the last approved extension's). */
    dueAt: tz('due_at'),
    resolvedAt: tz('resolved_at'),
    returnedAt: tz('returned_at'),
    extensionRequestedAt: tz('extension_requested_at').array(),
    extensionApprovedAt: tz('extension_approved_at').array(),
    rating: text('rating'),
    ratedAt: tz('rated_at'),
    nextStartedBy: text('next_started_by'),
    nextStartedAt: tz('next_started_at'),
    nextDepartmentId: integer('next_department_id'),
    /** The holding's latest instant: a holding whose lastAt is before a period adds nothing to it. */
    lastAt: tz('last_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.seq] }),
    index('case_holdings_last_started_idx').on(t.lastAt, t.startedAt),
  ],
);

/**
 * A wall display's (kiosk's) login: a long-lived, revocable token tied to the read-only "display" role.
 * The raw token is shown once at creation; only its SHA-256 is stored.
 */
export const displayTokens = pgTable(
  'display_tokens',
  {
    id: serial('id').primaryKey(),
    /** What the admin called it, e.g. "3F 指挥大厅 左屏". */
    name: text('name').notNull(),
    /** SHA-256 (hex) of the raw token. */
    tokenHash: text('token_hash').notNull().unique(),
    /** The admin who created it. */
    createdBy: integer('created_by').references(() => users.id),
    createdAt: tz('created_at').notNull().defaultNow(),
    /** When a display last used it (updated at most once a minute). */
    lastUsedAt: tz('last_used_at'),
    /** When an admin revoked it; a revoked token never works again. */
    revokedAt: tz('revoked_at'),
    /** Optional end of validity; null for no end. */
    expiresAt: tz('expires_at'),
  },
  (t) => [index('display_tokens_created_idx').on(t.createdAt)],
);

/**
 * The public view's rate allowance per client, shared by every node on this database (server/cluster/
 * shared-store.ts): a token bucket per key. UNLOGGED (migration 0016): a crash only refills allowances.
 * No index besides the key: every request updates the row, and an index on at_ms would cost each update
 * for a sweep that runs once a minute over the last minute's clients.
 */
export const publicRateBuckets = pgTable('public_rate_buckets', {
  key: text('key').primaryKey(),
  /** Tokens left (fractional: the bucket refills continuously). */
  tokens: doublePrecision('tokens').notNull(),
  /** When the bucket was last refilled, ms since the epoch (the requesting node's clock). */
  atMs: doublePrecision('at_ms').notNull(),
  /** Whether the last request took a token: what the one upsert returns besides the tokens. */
  taken: boolean('taken').notNull(),
});

/** Serialised public datasets shared by every node until they expire. UNLOGGED: a crash only empties it. */
export const publicCache = pgTable('public_cache', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  expiresAt: tz('expires_at').notNull(),
});

/**
 * Sign-in throttling counters, shared by every node of a cluster (server/domain/login-throttle.ts): one row
 * per login name ("account:<name>") and per client address ("address:<ip or /64>").
 */
export const loginThrottle = pgTable('login_throttle', {
  key: text('key').primaryKey(),
  /** Failures counted in the current window. */
  failures: integer('failures').notNull(),
  /** When the window began. */
  windowStart: tz('window_start').notNull(),
  /** The last failure; the back-off runs from it. */
  lastFailureAt: tz('last_failure_at').notNull(),
  /** Every attempt is refused until then; null when not refused. */
  lockedUntil: tz('locked_until'),
});

/** Every sign-in attempt and its outcome. Never the password. Kept LOGIN_AUDIT_RETENTION_DAYS. */
export const loginAudit = pgTable(
  'login_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: tz('at').notNull().defaultNow(),
    /** The login name as typed (cut to 100 characters). */
    loginName: text('login_name').notNull(),
    /** The account it named, when there is one. */
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** The client address as the server saw it (getClientAddress). */
    address: text('address').notNull(),
    /** ok, wrong_password, unknown_user, disabled, throttled or refused. */
    outcome: text('outcome').notNull(),
  },
  (t) => [
    index('login_audit_at_idx').on(t.at),
    index('login_audit_outcome_idx').on(t.outcome, t.at),
    // "Has this login name signed in from this address lately?" (the known-address check) and the filter.
    index('login_audit_login_idx').on(sql`lower(${t.loginName})`, t.address, t.at),
  ],
);

/**
 * Every change of a sensor's state, for replay (issue 19): written by the sensor_state_stamp trigger
 * (migration 0020) whenever a row's state changes, so ingest, the watchdog and the simulator all record
 * without knowing. `at` is the database clock when the change was made (what the operations center knew
 * from then on), `seq` the change-feed number the row got. Kept REPLAY_DAYS.
 */
export const sensorTransitions = pgTable(
  'sensor_transitions',
  {
    sensorId: integer('sensor_id')
      .notNull()
      .references(() => sensors.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: tz('at').notNull(),
    /** The new state (0 normal, 1 warning, 2 alarm, 3 offline). */
    state: smallint('state').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sensorId, t.seq] }), index('sensor_transitions_at_idx').on(t.at)],
);

/**
 * The state of every sensor at an instant, so replay rebuilds any instant from the checkpoint before it
 * and the transitions after it with bounded work. Only sensors not normal are listed (most are normal).
 */
export const replayCheckpoints = pgTable('replay_checkpoints', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** The database clock when it was taken, with every writer of sensor state held off. */
  at: tz('at').notNull().unique(),
  /** The highest change-feed number it includes: transitions after it have a greater one. */
  seq: bigint('seq', { mode: 'number' }).notNull(),
  /** Sensors whose state was not normal, ascending, and their states. */
  sensorIds: integer('sensor_ids').array().notNull(),
  states: smallint('states').array().notNull(),
});

/**
 * A moment worth going back to ("暴雨内涝 11-03 07:00–10:00"): an instant, or an interval when `toAt` is set,
 * with a note; listed in the replay bar and in the monthly meeting deck, opened as a replay link.
 */
export const replayBookmarks = pgTable(
  'replay_bookmarks',
  {
    id: serial('id').primaryKey(),
    fromAt: tz('from_at').notNull(),
    toAt: tz('to_at'),
    note: text('note').notNull(),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [index('replay_bookmarks_from_idx').on(t.fromAt)],
);
