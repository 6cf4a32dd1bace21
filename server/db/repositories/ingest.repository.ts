// Device ingest's SQL: the sensor registry as ingest sees it, the batch write (latest state, reading
// history, alarms) and the HTTP gateways' keys (retention: readings-partitions.repository.ts). Every batch statement sends its columns as
// array parameters (one bind parameter per column, see pg-array.ts; JSON values as one JSON array), never
// one statement per reading.
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../client';
import { BinaryCopyReader, type BinaryField } from '../copy-binary';
import { parseIntArray, pgArray } from '../pg-array';

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

/** The current state of a sensor, read at the start of a batch. */
export interface CurrentState {
  /** sensors.id */
  sensorId: number;
  /** 0 normal, 1 warning, 2 alarm, 3 offline. */
  state: number;
  /** Device time of the last stored reading; null when none. */
  reportedAt: Date | null;
  /** What the rules remembered after the last reading. */
  ruleState: Record<string, unknown> | null;
  /** The row version read (xmin): the batch writes the state only if it is still this one. */
  version: string;
}

/** Receives one state row (see eachState). */
export type StateVisitor = (
  sensorId: number,
  state: number,
  reportedMs: number,
  version: number,
  ruleState: Record<string, unknown> | null,
) => void;

const STATE_FIELDS: readonly BinaryField[] = ['int4', 'int2', 'float8', 'int8', 'text'];
/** State rows per page where the rows cannot stream (embedded PGlite). */
const STATE_PAGE = 5_000;

/** One accepted reading: a row of history and, for a sensor's newest reading of the batch, its new state. */
export interface ReadingWrite {
  /** sensors.id */
  sensorId: number;
  /** Device time. */
  ts: Date;
  /** The values as JSON text (stringified once, stored twice: history and latest state). */
  reading: string;
  /** The state this reading put the sensor in. */
  state: number;
  /** Set on the sensor's newest reading of the batch: that reading becomes sensor_state. */
  latest: {
    /** What the rules remember now; null when nothing but the reading's time (most sensors). */
    ruleState: Record<string, unknown> | null;
    /** The state row version the batch was computed from (CurrentState.version). */
    version: string;
  } | null;
}

/** What a batch write did. */
export interface WriteOutcome {
  /** Sensors whose state row another writer had changed: nothing of theirs was written. */
  stale: number[];
  /** The row version (xmin) of every state row written; null when nothing was written. */
  version: string | null;
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
/** JSON texts as one JSON array: one parameter, no array-literal escaping of every quote. */
const jsonArray = (texts: readonly string[]) => `[${texts.join(',')}]`;
/**
 * An array literal of numbers or bare words (xids, NULL) that need no quoting: pgArray without its
 * per-element checks, for the batch write.
 */
const plainArray = (values: readonly (number | string)[]) => `{${values.join(',')}}`;
/** Device time sent as epoch ms (cheaper than ISO text both ways); exact to the millisecond. */
const msToTs = sql.raw(`to_timestamp(h.ts_ms / 1000.0)`);

/** A state row as the batch reads it: reported_at as epoch ms, rule_state as text, xmin as the version. */
const STATE_COLUMNS = sql.raw(
  `sensor_id, state, (extract(epoch from reported_at) * 1000)::float8 as reported_ms,
   rule_state::text as rule_state, xmin::text as version`,
);

type StateRow = {
  sensor_id: number;
  state: number;
  reported_ms: number | null;
  rule_state: string | null;
  version: string;
};

/** True when rows are already in sensor id order (the pipeline writes them so): no sort needed. */
function inIdOrder(rows: readonly ReadingWrite[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i].sensorId < rows[i - 1].sensorId) return false;
  return true;
}

const intArray = parseIntArray;

const stateOf = (r: StateRow): CurrentState => ({
  sensorId: r.sensor_id,
  state: r.state,
  reportedAt: r.reported_ms === null ? null : new Date(Math.floor(r.reported_ms)),
  ruleState: r.rule_state === null ? null : (JSON.parse(r.rule_state) as Record<string, unknown>),
  version: r.version,
});

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
     * The current state of these sensors, without locking (a plain MVCC read): the batch write checks each
     * row's version instead (optimistic; see writeReadings). Sensors without a state row are absent.
     */
    async currentStates(sensorIds: readonly number[], tx: Orm): Promise<CurrentState[]> {
      if (sensorIds.length === 0) return [];
      return (
        await db.rows<StateRow>(
          sql`select ${STATE_COLUMNS} from sensor_state where sensor_id = any(${pgArray(sensorIds)}::int[])`,
          tx,
        )
      ).map(stateOf);
    },

    /**
     * The current state of these sensors, locked until the batch commits: the fallback when the optimistic
     * write met a row another writer changed meanwhile (two nodes on one sensor, the heartbeat check), so
     * the retry cannot meet it again. Rows are locked in id order (no deadlock between two such batches).
     * Sensors without a state row get one first (state 0, never reported).
     */
    async lockStates(sensorIds: readonly number[], tx: Orm): Promise<CurrentState[]> {
      if (sensorIds.length === 0) return [];
      const sorted = [...sensorIds].sort((a, b) => a - b);
      const lock = (ids: readonly number[]) =>
        db.rows<StateRow>(
          sql`select ${STATE_COLUMNS} from sensor_state
              where sensor_id = any(${pgArray(ids)}::int[]) order by sensor_id for update`,
          tx,
        );
      const rows = await lock(sorted);
      if (rows.length < sorted.length) {
        const have = new Set(rows.map((r) => Number(r.sensor_id)));
        const missing = sorted.filter((id) => !have.has(id));
        // Only for sensors still registered: a removed one stays without a row (its readings are refused).
        await db.rows(
          sql`insert into sensor_state (sensor_id, state)
              select u.id, 0 from unnest(${pgArray(missing)}::int[]) as u(id)
              where exists (select 1 from sensors s where s.id = u.id)
              on conflict (sensor_id) do nothing`,
          tx,
        );
        rows.push(...(await lock(missing)));
      }
      return rows.map(stateOf);
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
     * Stores a batch's accepted readings in one statement: each sensor's newest reading becomes its state
     * row (compare-and-set on the row version the batch computed from, so no row lock is held while the
     * rules run) and every reading enters the history, but only for sensors whose state row was written.
     * Returns the sensors whose row had changed meanwhile (nothing of theirs was written: the caller re-reads
     * them locked and writes them again) and the version every written row now has (this transaction's
     * id, which is what xmin reads back as). The change-feed lock is taken shared first, as the trigger
     * would per changed row, so the feed reader never waits behind half a batch.
     */
    async writeReadings(rows: readonly ReadingWrite[], tx: Orm): Promise<WriteOutcome> {
      if (rows.length === 0) return { stale: [], version: null };
      // In sensor id order, the order the rows are then updated (and locked) in: two nodes writing the same
      // sensors take turns instead of deadlocking. Built in one pass: this runs for every reading stored.
      const sorted = inIdOrder(rows) ? rows : [...rows].sort((a, b) => a.sensorId - b.sensorId);
      const ids: number[] = [];
      const ts: number[] = [];
      const readings: string[] = [];
      const states: number[] = [];
      const versions: string[] = [];
      const ruleStates: string[] = [];
      for (const r of sorted) {
        ids.push(r.sensorId);
        ts.push(r.ts.getTime());
        readings.push(r.reading);
        states.push(r.state);
        versions.push(r.latest ? r.latest.version : 'NULL');
        ruleStates.push(r.latest?.ruleState ? json(r.latest.ruleState) : 'null');
      }
      const [out] = await db.rows<{ stale: number[] | string; version: string }>(
        sql`with h as (
              select * from rows from (
                unnest(${plainArray(ids)}::int[]),
                unnest(${plainArray(ts)}::bigint[]),
                jsonb_array_elements(${jsonArray(readings)}::text::jsonb),
                unnest(${plainArray(states)}::smallint[]),
                unnest(${plainArray(versions)}::xid[]),
                jsonb_array_elements(${jsonArray(ruleStates)}::text::jsonb)
              ) as h(sensor_id, ts_ms, reading, state, version, rule_state)
            ),
            feed as (select pg_advisory_xact_lock_shared(${FEED_LOCK}) as locked),
            st as (
              update sensor_state s
              set state = h.state, reading = h.reading, reported_at = ${msToTs}, rule_state = h.rule_state
              from h
              where h.version is not null and s.sensor_id = h.sensor_id and s.xmin = h.version
                and (select locked is not null from feed)
              returning s.sensor_id
            ),
            history as (
              insert into sensor_readings (sensor_id, ts, reading, state)
              select h.sensor_id, ${msToTs}, h.reading, h.state
              from h where h.sensor_id in (select sensor_id from st)
            )
            select array(select h.sensor_id from h
                         where h.version is not null and h.sensor_id not in (select sensor_id from st)
                         order by h.sensor_id) as stale,
                   pg_current_xact_id()::xid::text as version`,
        tx,
      );
      return { stale: intArray(out.stale), version: out.version };
    },

    /**
     * Visits every sensor's state row (warming the ingest state cache at start). On PostgreSQL the rows
     * stream in as binary COPY and are decoded in place, no object per row (500,000 rows read as objects
     * had left the process ~70 MB bigger); elsewhere (embedded PGlite) they come in pages of `pageSize`.
     * `visit` gets a sensor's id, state, last report (epoch ms, NaN when none), row version and rule
     * memory (null for most). Returns how many rows it visited.
     */
    async eachState(visit: StateVisitor, pageSize = STATE_PAGE): Promise<number> {
      if (db.copyOut) {
        const reader = new BinaryCopyReader(STATE_FIELDS, (v) =>
          visit(
            v[0] as number,
            v[1] as number,
            v[2] === null ? NaN : Math.floor(v[2] as number),
            v[3] as number,
            v[4] === null ? null : (JSON.parse(v[4] as string) as Record<string, unknown>),
          ),
        );
        await db.copyOut(
          `copy (select sensor_id, state, (extract(epoch from reported_at) * 1000)::float8,
                        xmin::text::bigint, rule_state::text from sensor_state) to stdout with (format binary)`,
          (buf, start, end) => reader.feed(buf, start, end),
        );
        return reader.end();
      }
      let after = -1;
      let n = 0;
      for (;;) {
        const rows = await db.rows<StateRow>(
          sql`select ${STATE_COLUMNS} from sensor_state where sensor_id > ${after}
              order by sensor_id limit ${pageSize}`,
        );
        for (const r of rows) {
          const st = stateOf(r);
          visit(st.sensorId, st.state, st.reportedAt?.getTime() ?? NaN, Number(st.version), st.ruleState);
        }
        n += rows.length;
        if (rows.length < pageSize) return n;
        after = rows[rows.length - 1].sensor_id;
      }
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
