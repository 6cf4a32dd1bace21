// Alarms after ingest has opened them: what officers see, acknowledging, escalation, and the case a
// critical alarm opens. The only code that reads or writes alarms outside ingest. Opening, touching and
// clearing alarms belongs to ingest (server/ingest/).
import type { SystemText } from '../../../src/lib/api/system-text';
import { alarmCaseText } from '../../domain/alarm-case-text';
import { sql, type SQL } from 'drizzle-orm';
import type { AlarmView } from '../../../src/lib/api/alarms';
import { SENSOR_FAMILIES } from '../../domain/city-facts';
import type { Database, Orm } from '../client';

export type { AlarmView };

/** An alarm as the escalation and case rules need it (no joins). */
export interface AlarmRecord {
  /** Alarm id. */
  id: number;
  /** The sensor that raised it. */
  sensorId: number;
  /** Rule that fired, e.g. "manhole.tilt". */
  ruleId: string;
  /** 1 warning, 2 critical. */
  severity: 1 | 2;
  /** Lifecycle: open → acknowledged → cleared (or open → cleared). */
  status: AlarmView['status'];
  /** When the alarm was raised. */
  openedAt: Date;
  /** When an officer acknowledged it, or null. */
  acknowledgedAt: Date | null;
  /** When ingest cleared it, or null. */
  clearedAt: Date | null;
  /** 0 until escalated; each escalation adds one. */
  escalationLevel: number;
  /** When it was last escalated, or null. */
  escalatedAt: Date | null;
  /** The case it opened, or null. */
  caseId: number | null;
}

/** Filters of the open-alarm list. */
export interface OpenAlarmFilter {
  /** Only "open" (unacknowledged) or only "acknowledged"; both when absent. Cleared alarms never. */
  status?: 'open' | 'acknowledged';
  /** Only warnings (1) or only critical alarms (2). */
  severity?: 1 | 2;
  /** At most this many, critical first, then newest first. */
  limit: number;
}

/** Result of acknowledging: the alarm after the change, or why nothing changed. */
export type AcknowledgeResult =
  { ok: true; alarm: AlarmView } | { ok: false; reason: 'not_found' | 'cleared' | 'already_acknowledged' };

/** Result of opening a case for an alarm. */
export type OpenCaseResult =
  /** A case was opened now, dispatched to `departmentId` (null only if the city has no departments). */
  | { created: true; caseId: number; caseCode: string; departmentId: number | null }
  /** The alarm already had a case (another node or an earlier sweep opened it), or it no longer exists. */
  | { created: false; caseId: number | null };

/** What a critical alarm's case is opened with; the case service opens it through the common path. */
export interface AlarmCaseDraft {
  code: string;
  title: string;
  description: string;
  /** Neutral form of the title, description and note (see server/domain/alarm-case-text.ts). */
  systemText: SystemText;
  priority: 1 | 2;
  streetId: number | null;
  gridCellId: number | null;
  sensorId: number;
  lon: number | null;
  lat: number | null;
  /** The owner department it is dispatched to at once; null leaves it in the triage queue. */
  departmentId: number | null;
  note: string;
}

/** Opens a case inside the alarm's transaction (see caseService.open). */
export type CaseOpener = (draft: AlarmCaseDraft, now: Date, tx: Orm) => Promise<{ id: number; code: string }>;

/** Code of the case opened from an alarm, dated by the Shanghai calendar day (UTC+8, no DST) of `now`. */
export function alarmCaseCode(alarmId: number, now: Date): string {
  const day = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
  return `AL-${day}-${alarmId}`;
}

// Dates go to SQL as ISO text with a cast: postgres.js (as drizzle configures it) cannot bind a Date.
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const json = (v: unknown) =>
  v === null || v === undefined
    ? null
    : ((typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>);

// The family → owning bureau key from the published city facts, used when sensor_types has no
// owner_department_key of its own (the demo generator leaves it empty).
const FAMILY_OWNER_KEYS = JSON.stringify(
  Object.fromEntries(SENSOR_FAMILIES.map((f) => [f.code, f.ownerDepartmentKey])),
);

/**
 * The department a sensor's alarm case goes to, as SQL over a sensor `s`, its type `t` and its district `d`:
 * the family's owner bureau in the sensor's district, else the type's owner, else the street office, else the
 * district's service center, else any service center. The live alarm path and the history generator share it.
 */
export const SENSOR_OWNER_DEPARTMENT = sql`coalesce(
  (select dep.id from departments dep
   where dep.code = d.code || '-' || coalesce(t.owner_department_key, ${FAMILY_OWNER_KEYS}::jsonb ->> t.code)),
  t.owner_department_id,
  (select dep.id from departments dep
   where dep.kind = 'street_office' and dep.street_id = s.street_id order by dep.id limit 1),
  (select dep.id from departments dep
   where dep.kind = 'service_center' and dep.district_id = d.id order by dep.id limit 1),
  (select dep.id from departments dep where dep.kind = 'service_center' order by dep.id limit 1)
)`;

const VIEW_COLUMNS = sql`
  a.id, a.sensor_id as "sensorId", s.code as "sensorCode", a.rule_id as "ruleId", a.severity, a.status,
  a.opened_at as "openedAt", a.last_seen_at as "lastSeenAt", a.occurrences, a.last_value as "lastValue",
  u.display_name as "acknowledgedBy", a.acknowledged_at as "acknowledgedAt", a.cleared_at as "clearedAt",
  a.escalation_level as "escalationLevel", a.case_id as "caseId", c.code as "caseCode"`;

const VIEW_FROM = sql`
  from alarms a
  join sensors s on s.id = a.sensor_id
  left join users u on u.id = a.acknowledged_by
  left join cases c on c.id = a.case_id`;

const RECORD_COLUMNS = sql`
  id, sensor_id as "sensorId", rule_id as "ruleId", severity, status, opened_at as "openedAt",
  acknowledged_at as "acknowledgedAt", cleared_at as "clearedAt", escalation_level as "escalationLevel",
  escalated_at as "escalatedAt", case_id as "caseId"`;

function toView(r: Record<string, unknown>): AlarmView {
  return {
    id: Number(r.id),
    sensorId: Number(r.sensorId),
    sensorCode: r.sensorCode as string,
    ruleId: r.ruleId as string,
    severity: Number(r.severity) as 1 | 2,
    status: r.status as AlarmView['status'],
    openedAt: iso(r.openedAt)!,
    lastSeenAt: iso(r.lastSeenAt)!,
    occurrences: Number(r.occurrences),
    lastValue: json(r.lastValue),
    acknowledgedBy: (r.acknowledgedBy as string | null) ?? null,
    acknowledgedAt: iso(r.acknowledgedAt),
    clearedAt: iso(r.clearedAt),
    escalationLevel: Number(r.escalationLevel),
    caseId: num(r.caseId),
    caseCode: (r.caseCode as string | null) ?? null,
  };
}

function toRecord(r: Record<string, unknown>): AlarmRecord {
  return {
    id: Number(r.id),
    sensorId: Number(r.sensorId),
    ruleId: r.ruleId as string,
    severity: Number(r.severity) as 1 | 2,
    status: r.status as AlarmView['status'],
    openedAt: date(r.openedAt)!,
    acknowledgedAt: date(r.acknowledgedAt),
    clearedAt: date(r.clearedAt),
    escalationLevel: Number(r.escalationLevel),
    escalatedAt: date(r.escalatedAt),
    caseId: num(r.caseId),
  };
}

export function alarmsRepository(db: Database) {
  const view = async (where: SQL, tx?: Orm) => {
    const rows = await db.rows<Record<string, unknown>>(
      sql`select ${VIEW_COLUMNS} ${VIEW_FROM} ${where}`,
      tx,
    );
    return rows.map(toView);
  };

  return {
    /** One alarm as the panel shows it, or null. */
    async byId(id: number): Promise<AlarmView | null> {
      const [a] = await view(sql`where a.id = ${id}`);
      return a ?? null;
    },

    /** A sensor's alarms, newest first: every open or acknowledged one, then the last `cleared` cleared. */
    async forSensor(sensorId: number, cleared = 20): Promise<AlarmView[]> {
      return view(sql`
        where a.id in (
          select id from alarms where sensor_id = ${sensorId} and status <> 'cleared'
          union all
          (select id from alarms where sensor_id = ${sensorId} and status = 'cleared'
           order by cleared_at desc nulls last, id desc limit ${cleared}))
        order by a.opened_at desc, a.id desc`);
    },

    /** Whether a sensor with this id exists. */
    async sensorExists(sensorId: number): Promise<boolean> {
      const [r] = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from sensors where id = ${sensorId}`,
      );
      return r.n > 0;
    },

    /** Alarms that are not cleared, critical first, then newest first. */
    async listOpen(filter: OpenAlarmFilter): Promise<AlarmView[]> {
      const status = filter.status ? sql`a.status = ${filter.status}` : sql`a.status <> 'cleared'`;
      const severity = filter.severity ? sql`and a.severity = ${filter.severity}` : sql``;
      return view(sql`
        where ${status} ${severity}
        order by a.severity desc, a.opened_at desc, a.id desc
        limit ${filter.limit}`);
    },

    /**
     * Acknowledges an open alarm in one statement, so two officers cannot both acknowledge it: the
     * second finds it no longer open and is told why.
     */
    async acknowledge(id: number, userId: number, at: Date): Promise<AcknowledgeResult> {
      const updated = await db.rows<{ id: number }>(sql`
        update alarms set status = 'acknowledged', acknowledged_by = ${userId}, acknowledged_at = ${ts(at)}
        where id = ${id} and status = 'open'
        returning id`);
      if (updated.length === 0) {
        const [r] = await db.rows<{ status: string }>(sql`select status from alarms where id = ${id}`);
        if (!r) return { ok: false, reason: 'not_found' };
        return { ok: false, reason: r.status === 'cleared' ? 'cleared' : 'already_acknowledged' };
      }
      const [alarm] = await view(sql`where a.id = ${id}`);
      return { ok: true, alarm };
    },

    /**
     * Unacknowledged open alarms raised at or before `openedBefore` that are below `maxLevel`: the
     * candidates for escalation (the policy decides which are due).
     */
    async escalationCandidates(openedBefore: Date, maxLevel: number, limit = 1000): Promise<AlarmRecord[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select ${RECORD_COLUMNS} from alarms
        where status = 'open' and opened_at <= ${ts(openedBefore)} and escalation_level < ${maxLevel}
        order by opened_at limit ${limit}`);
      return rows.map(toRecord);
    },

    /**
     * Raises an alarm from `level - 1` to `level` if it is still open (unacknowledged); false when an
     * officer acknowledged it meanwhile or another node escalated it first.
     */
    async escalate(id: number, level: number, at: Date): Promise<boolean> {
      const r = await db.rows<{ id: number }>(sql`
        update alarms set escalation_level = ${level}, escalated_at = ${ts(at)}
        where id = ${id} and status = 'open' and escalation_level = ${level - 1}
        returning id`);
      return r.length > 0;
    },

    /** Alarms of `severity` or worse that are not cleared and have no case yet, oldest first. */
    async withoutCase(minSeverity: number, limit = 1000): Promise<AlarmRecord[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select ${RECORD_COLUMNS} from alarms
        where case_id is null and status <> 'cleared' and severity >= ${minSeverity}
        order by opened_at limit ${limit}`);
      return rows.map(toRecord);
    },

    /**
     * Opens a case for an alarm and links it, in one transaction: the case dispatched to the sensor's
     * owner department (else its street office, else the service center), its first case event, and
     * alarms.case_id. The alarm row is locked first, so two nodes sweeping at once open one case: the
     * second waits, then finds the case already linked.
     */
    async openCase(alarmId: number, now: Date, open: CaseOpener): Promise<OpenCaseResult> {
      return db.orm.transaction(async (t) => {
        const tx = t as unknown as Orm;
        const [alarm] = await db.rows<{
          caseId: number | null;
          ruleId: string;
          severity: number;
          sensorId: number;
        }>(
          sql`select case_id as "caseId", rule_id as "ruleId", severity, sensor_id as "sensorId"
              from alarms where id = ${alarmId} for update`,
          tx,
        );
        if (!alarm) return { created: false, caseId: null };
        if (alarm.caseId !== null) return { created: false, caseId: Number(alarm.caseId) };

        const [place] = await db.rows<{
          sensorCode: string;
          familyName: string;
          streetId: unknown;
          gridCellId: unknown;
          lon: unknown;
          lat: unknown;
          departmentId: number | null;
        }>(
          sql`
          select s.code as "sensorCode", t.name as "familyName", s.street_id as "streetId",
            s.grid_cell_id as "gridCellId", ST_X(s.geom) as lon, ST_Y(s.geom) as lat,
            ${SENSOR_OWNER_DEPARTMENT} as "departmentId"
          from sensors s
          join sensor_types t on t.id = s.type_id
          left join streets str on str.id = s.street_id
          left join districts d on d.id = str.district_id
          where s.id = ${alarm.sensorId}`,
          tx,
        );

        const critical = Number(alarm.severity) >= 2;
        const { title, description, note, text } = alarmCaseText({
          alarmId,
          familyName: place.familyName,
          ruleId: alarm.ruleId,
          sensorCode: place.sensorCode,
          critical,
        });
        const departmentId = num(place.departmentId);
        const created = await open(
          {
            code: alarmCaseCode(alarmId, now),
            title,
            description,
            systemText: text,
            priority: critical ? 1 : 2,
            streetId: num(place.streetId),
            gridCellId: num(place.gridCellId),
            sensorId: alarm.sensorId,
            lon: num(place.lon),
            lat: num(place.lat),
            departmentId,
            note,
          },
          now,
          tx,
        );
        const caseId = created.id;
        const code = created.code;
        // The row lock makes this guard redundant today; it stays so the link can never be overwritten.
        const linked = await db.rows<{ id: number }>(
          sql`update alarms set case_id = ${caseId} where id = ${alarmId} and case_id is null returning id`,
          tx,
        );
        if (linked.length === 0) throw new Error(`alarm ${alarmId} was linked to a case concurrently`);
        return { created: true, caseId, caseCode: code, departmentId };
      });
    },
  };
}

export type AlarmsRepository = ReturnType<typeof alarmsRepository>;
