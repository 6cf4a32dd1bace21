// Device ingest's SQL: the sensor registry as ingest sees it, the batch write (latest state, reading
// history, alarms) and retention, and the HTTP gateways' keys. Every batch statement sends its columns as
// array parameters (one bind parameter per column, see pg-array.ts), never one statement per reading.
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../client';
import { pgArray } from '../pg-array';

/** Same key as the feed's lock (migration 0002): the trigger takes it shared on each state change. */
const FEED_LOCK = 727001;

/** A registered sensor with what its rules are made of. */
export interface SensorRegistryRow {
  /** sensors.id */
  id: number;
  /** The device's own identifier. */
  code: string;
  /** sensor_types.id */
  typeId: number;
  /** Per-sensor rule overrides (sensors.rule_overrides), usually null. */
  overrides: Record<string, unknown> | null;
}

/** A sensor family with its default rules. */
export interface SensorTypeRow {
  /** sensor_types.id */
  id: number;
  /** Family code, e.g. "manhole". */
  code: string;
  /** The family's rules as stored (sensor_types.rules); empty means "use the built-in defaults". */
  rules: unknown[];
}

/** The current state of a sensor, read (and locked) at the start of a batch. */
export interface CurrentState {
  /** sensors.id */
  sensorId: number;
  /** 0 normal, 1 warning, 2 alarm, 3 offline. */
  state: number;
  /** Device time of the last stored reading; null when none. */
  reportedAt: Date | null;
  /** What the rules remembered after the last reading. */
  ruleState: Record<string, unknown> | null;
}

/** The new latest state of one sensor. */
export interface StateUpdate {
  /** sensors.id */
  sensorId: number;
  /** 0 normal, 1 warning, 2 alarm. */
  state: number;
  /** The reading's values. */
  reading: Record<string, unknown>;
  /** Device time of the reading. */
  reportedAt: Date;
  /** What the rules remember now. */
  ruleState: Record<string, unknown>;
}

/** One row of reading history. */
export interface ReadingRow {
  /** sensors.id */
  sensorId: number;
  /** Device time. */
  ts: Date;
  /** The values. */
  reading: Record<string, unknown>;
  /** The state this reading put the sensor in. */
  state: number;
}

/** A non-cleared alarm, as the alarm planner needs it. */
export interface OpenAlarmRow {
  /** alarms.id */
  id: number;
  /** sensors.id */
  sensorId: number;
  /** The rule that fired. */
  ruleId: string;
  /** 1 warning, 2 critical. */
  severity: number;
  /** "open" or "acknowledged". */
  status: string;
  /** Readings that fired the rule so far. */
  occurrences: number;
  /** When it opened. */
  openedAt: Date;
  /** Last reading that kept it up. */
  lastSeenAt: Date;
}

/** A new alarm (possibly already cleared again within the same batch). */
export interface AlarmInsert {
  /** sensors.id */
  sensorId: number;
  /** The rule that fired. */
  ruleId: string;
  /** 1 warning, 2 critical. */
  severity: number;
  /** Device time of the reading that opened it. */
  openedAt: Date;
  /** Device time of the last reading that kept it up. */
  lastSeenAt: Date;
  /** Readings that fired it. */
  occurrences: number;
  /** The values that last fired it. */
  lastValue: Record<string, unknown>;
  /** Set when the rule stopped holding within the same batch. */
  clearedAt: Date | null;
}

/** A change to an existing alarm: repeats add occurrences, a rule that stops holding clears it. */
export interface AlarmUpdate {
  /** alarms.id */
  id: number;
  /** Highest severity seen. */
  severity: number;
  /** Device time of the last reading that kept it up. */
  lastSeenAt: Date;
  /** Occurrences to add. */
  addOccurrences: number;
  /** The values that last fired it (null keeps the stored ones). */
  lastValue: Record<string, unknown> | null;
  /** Set when the alarm clears. */
  clearedAt: Date | null;
}

/** An HTTP ingest gateway. */
export interface GatewayRow {
  /** gateways.id */
  id: number;
  /** Short code, used as the dead-letter source. */
  code: string;
  /** Display name. */
  name: string;
  /** A disabled gateway's key is refused. */
  disabled: boolean;
  /** When it was created. */
  createdAt: Date;
}

const iso = (d: Date) => d.toISOString();
const json = (v: unknown) => JSON.stringify(v);
const num = (v: string | number) => Number(v);
const date = (v: Date | string | null) => (v === null ? null : new Date(v));

export function ingestRepository(db: Database) {
  return {
    /** Runs `fn` in one transaction (the batch write). */
    transaction<T>(fn: (tx: Orm) => Promise<T>): Promise<T> {
      return db.orm.transaction((tx) => fn(tx as unknown as Orm));
    },

    /** Every sensor family with its stored rules. */
    async sensorTypes(): Promise<SensorTypeRow[]> {
      const rows = await db.rows<{ id: number; code: string; rules: unknown }>(
        sql`select id, code, rules from sensor_types order by id`,
      );
      return rows.map((r) => ({ id: r.id, code: r.code, rules: Array.isArray(r.rules) ? r.rules : [] }));
    },

    /**
     * The whole registry in one query. Overrides travel as text: most are null and parsing the few
     * present ones in JS is cheaper than having the driver build 500k jsonb values.
     */
    async allSensors(): Promise<SensorRegistryRow[]> {
      const rows = await db.rows<{ id: number; code: string; type_id: number; o: string | null }>(
        sql`select id, code, type_id, rule_overrides::text as o from sensors`,
      );
      return rows.map((r) => ({
        id: r.id,
        code: r.code,
        typeId: r.type_id,
        overrides: r.o === null ? null : (JSON.parse(r.o) as Record<string, unknown>),
      }));
    },

    /** The sensors with these codes (codes that are not registered are simply absent). */
    async sensorsByCode(codes: readonly string[]): Promise<SensorRegistryRow[]> {
      if (codes.length === 0) return [];
      const rows = await db.rows<{ id: number; code: string; type_id: number; o: string | null }>(
        sql`select id, code, type_id, rule_overrides::text as o from sensors
            where code = any(${pgArray(codes)}::text[])`,
      );
      return rows.map((r) => ({
        id: r.id,
        code: r.code,
        typeId: r.type_id,
        overrides: r.o === null ? null : (JSON.parse(r.o) as Record<string, unknown>),
      }));
    },

    /**
     * The current state of these sensors, locked until the batch commits: two nodes writing the same
     * sensor (shared subscriptions, HTTP and MQTT at once) take turns instead of overwriting each other.
     * Sensors without a state row get one first (state 0, never reported).
     */
    async lockStates(sensorIds: readonly number[], tx: Orm): Promise<CurrentState[]> {
      if (sensorIds.length === 0) return [];
      const sorted = [...sensorIds].sort((a, b) => a - b);
      type Row = {
        sensor_id: number;
        state: number;
        reported_at: Date | string | null;
        rule_state: Record<string, unknown> | string | null;
      };
      const lock = (ids: readonly number[]) =>
        db.rows<Row>(
          sql`select sensor_id, state, reported_at, rule_state from sensor_state
              where sensor_id = any(${pgArray(ids)}::int[]) order by sensor_id for update`,
          tx,
        );
      const rows = await lock(sorted);
      // Every registered sensor normally has its state row; create the missing ones only when needed
      // (one statement less per batch in the usual case).
      if (rows.length < sorted.length) {
        const have = new Set(rows.map((r) => Number(r.sensor_id)));
        const missing = sorted.filter((id) => !have.has(id));
        await db.rows(
          sql`insert into sensor_state (sensor_id, state)
              select id, 0 from unnest(${pgArray(missing)}::int[]) as u(id)
              on conflict (sensor_id) do nothing`,
          tx,
        );
        rows.push(...(await lock(missing)));
      }
      return rows.map((r) => ({
        sensorId: r.sensor_id,
        state: r.state,
        reportedAt: date(r.reported_at),
        ruleState:
          typeof r.rule_state === 'string'
            ? (JSON.parse(r.rule_state) as Record<string, unknown>)
            : r.rule_state,
      }));
    },

    /** The non-cleared alarms of these sensors. */
    async openAlarms(sensorIds: readonly number[], tx: Orm): Promise<OpenAlarmRow[]> {
      if (sensorIds.length === 0) return [];
      const rows = await db.rows<{
        id: string | number;
        sensor_id: number;
        rule_id: string;
        severity: number;
        status: string;
        occurrences: number;
        opened_at: Date | string;
        last_seen_at: Date | string;
      }>(
        sql`select id, sensor_id, rule_id, severity, status, occurrences, opened_at, last_seen_at
            from alarms where sensor_id = any(${pgArray(sensorIds)}::int[]) and status <> 'cleared'`,
        tx,
      );
      return rows.map((r) => ({
        id: num(r.id),
        sensorId: r.sensor_id,
        ruleId: r.rule_id,
        severity: r.severity,
        status: r.status,
        occurrences: r.occurrences,
        openedAt: new Date(r.opened_at),
        lastSeenAt: new Date(r.last_seen_at),
      }));
    },

    /**
     * Writes the new latest state of many sensors in one statement. The change-feed lock is taken shared
     * first, as the trigger would per row, so the feed reader never waits behind half a batch.
     */
    async updateStates(rows: readonly StateUpdate[], tx: Orm): Promise<void> {
      if (rows.length === 0) return;
      await db.rows(sql`select pg_advisory_xact_lock_shared(${FEED_LOCK})`, tx);
      await db.rows(
        sql`update sensor_state s
            set state = u.state, reading = u.reading::jsonb, reported_at = u.reported_at,
                rule_state = u.rule_state::jsonb
            from unnest(${pgArray(rows.map((r) => r.sensorId))}::int[],
                        ${pgArray(rows.map((r) => r.state))}::smallint[],
                        ${pgArray(rows.map((r) => json(r.reading)))}::text[],
                        ${pgArray(rows.map((r) => iso(r.reportedAt)))}::timestamptz[],
                        ${pgArray(rows.map((r) => json(r.ruleState)))}::text[])
              as u(sensor_id, state, reading, reported_at, rule_state)
            where s.sensor_id = u.sensor_id`,
        tx,
      );
    },

    /**
     * The heartbeat check: marks offline (state 3) every sensor whose last report is older than its family's
     * heartbeat at `now` (or that never reported), in one statement; returns how many it marked. The
     * change-feed lock is taken shared first, as updateStates does. Rows a batch write holds are skipped
     * (SKIP LOCKED): that sensor is reporting right now, and waiting for it could deadlock with the batch,
     * which locks in another order. A cheap look without the lock comes first, so the feed reader is not
     * made to wait behind a scan of every sensor when nobody is overdue (the usual case).
     */
    async markSilentOffline(now: Date): Promise<number> {
      const overdue = sql`st.state <> 3
        and (st.reported_at is null
             or st.reported_at < ${iso(now)}::timestamptz - make_interval(secs => t.heartbeat_seconds))`;
      const [probe] = await db.rows<{ any: boolean }>(
        sql`select exists (
              select 1 from sensor_state st
              join sensors s on s.id = st.sensor_id join sensor_types t on t.id = s.type_id
              where ${overdue}) as any`,
      );
      if (!probe?.any) return 0;
      return db.orm.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Orm;
        await db.rows(sql`select pg_advisory_xact_lock_shared(${FEED_LOCK})`, tx);
        const rows = await db.rows<{ n: number }>(
          sql`with due as (
                select st.sensor_id from sensor_state st
                join sensors s on s.id = st.sensor_id join sensor_types t on t.id = s.type_id
                where ${overdue}
                order by st.sensor_id
                for update of st skip locked
              ),
              marked as (
                update sensor_state st set state = 3 from due where st.sensor_id = due.sensor_id returning 1
              )
              select count(*)::int as n from marked`,
          tx,
        );
        return rows[0]?.n ?? 0;
      });
    },

    /** Appends reading history in one statement. */
    async insertReadings(rows: readonly ReadingRow[], tx: Orm): Promise<void> {
      if (rows.length === 0) return;
      await db.rows(
        sql`insert into sensor_readings (sensor_id, ts, reading, state)
            select sensor_id, ts, reading::jsonb, state
            from unnest(${pgArray(rows.map((r) => r.sensorId))}::int[],
                        ${pgArray(rows.map((r) => iso(r.ts)))}::timestamptz[],
                        ${pgArray(rows.map((r) => json(r.reading)))}::text[],
                        ${pgArray(rows.map((r) => r.state))}::smallint[])
              as u(sensor_id, ts, reading, state)`,
        tx,
      );
    },

    /**
     * Inserts new alarms in one statement. Callers plan against the locked open alarms, so at most one
     * non-cleared row per (sensor, rule) results and the partial unique index holds.
     */
    async insertAlarms(rows: readonly AlarmInsert[], tx: Orm): Promise<void> {
      if (rows.length === 0) return;
      await db.rows(
        sql`insert into alarms (sensor_id, rule_id, severity, status, opened_at, last_seen_at, occurrences,
                                last_value, cleared_at)
            select sensor_id, rule_id, severity, case when cleared_at is null then 'open' else 'cleared' end,
                   opened_at, last_seen_at, occurrences, last_value::jsonb, cleared_at
            from unnest(${pgArray(rows.map((r) => r.sensorId))}::int[],
                        ${pgArray(rows.map((r) => r.ruleId))}::text[],
                        ${pgArray(rows.map((r) => r.severity))}::smallint[],
                        ${pgArray(rows.map((r) => iso(r.openedAt)))}::timestamptz[],
                        ${pgArray(rows.map((r) => iso(r.lastSeenAt)))}::timestamptz[],
                        ${pgArray(rows.map((r) => r.occurrences))}::int[],
                        ${pgArray(rows.map((r) => json(r.lastValue)))}::text[],
                        ${pgArray(rows.map((r) => (r.clearedAt ? iso(r.clearedAt) : null)))}::timestamptz[])
              as u(sensor_id, rule_id, severity, opened_at, last_seen_at, occurrences, last_value, cleared_at)`,
        tx,
      );
    },

    /** Touches and clears existing alarms in one statement. */
    async updateAlarms(rows: readonly AlarmUpdate[], tx: Orm): Promise<void> {
      if (rows.length === 0) return;
      await db.rows(
        sql`update alarms a
            set severity = greatest(a.severity, u.severity),
                last_seen_at = greatest(a.last_seen_at, u.last_seen_at),
                occurrences = a.occurrences + u.add_occurrences,
                last_value = coalesce(u.last_value::jsonb, a.last_value),
                status = case when u.cleared_at is null then a.status else 'cleared' end,
                cleared_at = coalesce(u.cleared_at, a.cleared_at)
            from unnest(${pgArray(rows.map((r) => r.id))}::bigint[],
                        ${pgArray(rows.map((r) => r.severity))}::smallint[],
                        ${pgArray(rows.map((r) => iso(r.lastSeenAt)))}::timestamptz[],
                        ${pgArray(rows.map((r) => r.addOccurrences))}::int[],
                        ${pgArray(rows.map((r) => (r.lastValue ? json(r.lastValue) : null)))}::text[],
                        ${pgArray(rows.map((r) => (r.clearedAt ? iso(r.clearedAt) : null)))}::timestamptz[])
              as u(id, severity, last_seen_at, add_occurrences, last_value, cleared_at)
            where a.id = u.id`,
        tx,
      );
    },

    /** Deletes reading history older than `olderThan`; returns how many rows went. */
    async pruneReadings(olderThan: Date): Promise<number> {
      const rows = await db.rows<{ n: number }>(
        sql`with gone as (delete from sensor_readings where ts < ${iso(olderThan)}::timestamptz returning 1)
            select count(*)::int as n from gone`,
      );
      return rows[0]?.n ?? 0;
    },

    /** The enabled or disabled gateway whose key hashes to `keyHash`. */
    async gatewayByKeyHash(keyHash: string): Promise<GatewayRow | undefined> {
      const rows = await db.rows<{
        id: number;
        code: string;
        name: string;
        disabled: boolean;
        created_at: Date | string;
      }>(sql`select id, code, name, disabled, created_at from gateways where key_hash = ${keyHash}`);
      const r = rows[0];
      return (
        r && { id: r.id, code: r.code, name: r.name, disabled: r.disabled, createdAt: new Date(r.created_at) }
      );
    },

    /** Registers a gateway; fails when the code is taken. */
    async createGateway(g: { code: string; name: string; keyHash: string }): Promise<GatewayRow> {
      const rows = await db.rows<{ id: number; created_at: Date | string }>(
        sql`insert into gateways (code, name, key_hash) values (${g.code}, ${g.name}, ${g.keyHash})
            returning id, created_at`,
      );
      return {
        id: rows[0].id,
        code: g.code,
        name: g.name,
        disabled: false,
        createdAt: new Date(rows[0].created_at),
      };
    },

    /** Every gateway (without key hashes). */
    async listGateways(): Promise<GatewayRow[]> {
      const rows = await db.rows<{
        id: number;
        code: string;
        name: string;
        disabled: boolean;
        created_at: Date | string;
      }>(sql`select id, code, name, disabled, created_at from gateways order by code`);
      return rows.map((r) => ({
        id: r.id,
        code: r.code,
        name: r.name,
        disabled: r.disabled,
        createdAt: new Date(r.created_at),
      }));
    },

    /** Enables or disables a gateway; false when no gateway has that code. */
    async setGatewayDisabled(code: string, disabled: boolean): Promise<boolean> {
      const rows = await db.rows<{ id: number }>(
        sql`update gateways set disabled = ${disabled} where code = ${code} returning id`,
      );
      return rows.length > 0;
    },
  };
}

export type IngestRepository = ReturnType<typeof ingestRepository>;
