// Per-sensor rule overrides: reading a sensor's rules as stored (family rules, its overrides, the last
// change) and replacing its overrides together with an audit row, in one transaction.
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../client';

/** What a sensor's rules are made of, as stored. */
export interface StoredSensorRules {
  /** sensors.id */
  sensorId: number;
  /** The device code (the ingest cache's key). */
  code: string;
  /** Family code, e.g. "manhole". */
  family: string;
  /** sensor_types.rules as stored; empty means "the built-in defaults". */
  familyRules: unknown[];
  /** sensors.rule_overrides; null when it has none. */
  overrides: Record<string, unknown> | null;
  /** The last recorded change, or null. */
  lastChange: { changedBy: string | null; actorRole: string; changedAt: Date } | null;
}

/** Who changes the overrides, and when. */
export interface OverrideActor {
  /** users.id */
  userId: number;
  /** The user's role now. */
  role: string;
  /** When the change is made. */
  at: Date;
}

// Overrides and rules travel as text: PGlite and postgres.js hand jsonb back in different shapes.
const parse = <T>(v: string | null): T | null => (v === null ? null : (JSON.parse(v) as T));
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const jsonb = (v: unknown) => (v === null ? sql`null::jsonb` : sql`${JSON.stringify(v)}::jsonb`);

export function ruleOverridesRepository(db: Database) {
  return {
    /** The sensor's family rules, overrides and last change; null when there is no such sensor. */
    async sensorRules(sensorId: number): Promise<StoredSensorRules | null> {
      const [r] = await db.rows<{
        code: string;
        family: string;
        rules: string;
        overrides: string | null;
        changedBy: string | null;
        actorRole: string | null;
        changedAt: string | Date | null;
      }>(sql`
        select s.code, t.code as family, t.rules::text as rules, s.rule_overrides::text as overrides,
               u.display_name as "changedBy", a.actor_role as "actorRole", a.changed_at as "changedAt"
        from sensors s
        join sensor_types t on t.id = s.type_id
        left join lateral (
          select changed_by, actor_role, changed_at from rule_override_audit
          where sensor_id = s.id order by changed_at desc, id desc limit 1
        ) a on true
        left join users u on u.id = a.changed_by
        where s.id = ${sensorId}`);
      if (!r) return null;
      const rules = parse<unknown>(r.rules);
      return {
        sensorId,
        code: r.code,
        family: r.family,
        familyRules: Array.isArray(rules) ? rules : [],
        overrides: parse<Record<string, unknown>>(r.overrides),
        lastChange:
          r.changedAt === null
            ? null
            : { changedBy: r.changedBy, actorRole: r.actorRole ?? '', changedAt: new Date(r.changedAt) },
      };
    },

    /**
     * Replaces the sensor's overrides (null clears them) and records the change, unless `unchanged` says
     * the stored value already means the same. The sensor row is locked so two officers saving at once are
     * recorded one after the other with the right "before". False when there is no such sensor.
     */
    async replaceOverrides(
      sensorId: number,
      overrides: Record<string, unknown> | null,
      actor: OverrideActor,
      unchanged: (before: Record<string, unknown> | null) => boolean,
    ): Promise<boolean> {
      return db.orm.transaction(async (t) => {
        const tx = t as unknown as Orm;
        const [row] = await db.rows<{ before: string | null }>(
          sql`select rule_overrides::text as before from sensors where id = ${sensorId} for update`,
          tx,
        );
        if (!row) return false;
        const before = parse<Record<string, unknown>>(row.before);
        if (unchanged(before)) return true;
        await tx.execute(sql`update sensors set rule_overrides = ${jsonb(overrides)} where id = ${sensorId}`);
        await tx.execute(sql`
          insert into rule_override_audit (sensor_id, changed_at, changed_by, actor_role, before, after)
          values (${sensorId}, ${ts(actor.at)}, ${actor.userId}, ${actor.role}, ${jsonb(before)},
                  ${jsonb(overrides)})`);
        return true;
      });
    },

    /** Every recorded change of a sensor's overrides, newest first (for audits and tests). */
    async history(sensorId: number, limit = 50) {
      const rows = await db.rows<{
        changedBy: number | null;
        actorRole: string;
        changedAt: string | Date;
        before: string | null;
        after: string | null;
      }>(sql`
        select changed_by as "changedBy", actor_role as "actorRole", changed_at as "changedAt",
               before::text as before, after::text as after
        from rule_override_audit where sensor_id = ${sensorId}
        order by changed_at desc, id desc limit ${limit}`);
      return rows.map((r) => ({
        changedBy: r.changedBy === null ? null : Number(r.changedBy),
        actorRole: r.actorRole,
        changedAt: new Date(r.changedAt),
        before: parse<Record<string, unknown>>(r.before),
        after: parse<Record<string, unknown>>(r.after),
      }));
    },
  };
}

export type RuleOverridesRepository = ReturnType<typeof ruleOverridesRepository>;
