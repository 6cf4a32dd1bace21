// The history's bulk writes: tickets, cases, case events and alarms go in a few
// statements per table (whole columns as one array parameter each, unnest'ed; STACK.md: never one bind
// parameter per element), then case_holdings are cut with the same SQL the case repository uses.
import { sql, type SQL } from 'drizzle-orm';
import type { Database, Orm } from '../../db/client';
import { pgArray } from '../../db/pg-array';
import { writeCaseHoldings } from '../../db/repositories/case-holdings';
import { transitionsOfAlarms } from '../../domain/replay';
import type { CaseRow, EventRow, TicketRow } from './recorder';

/** Rows per statement: large enough to amortise a round trip, small enough for PGlite's memory. */
const CHUNK = 20_000;

/** An alarms row as written (cleared before the history ends). */
export interface AlarmRow {
  id: number;
  sensorId: number;
  ruleId: string;
  severity: 1 | 2;
  openedAt: Date;
  lastSeenAt: Date;
  occurrences: number;
  lastValue: Record<string, unknown>;
  acknowledgedBy: number | null;
  acknowledgedAt: Date | null;
  clearedAt: Date;
  caseId: number | null;
}

const isoOf = (d: Date | null) => (d ? d.toISOString() : null);

/** The ids the next case, ticket and alarm get (after whatever exists). */
export async function nextIds(
  db: Database,
  tx?: Orm,
): Promise<{ caseId: number; ticketId: number; alarmId: number }> {
  const [r] = await db.rows<{ c: unknown; t: unknown; a: unknown }>(
    sql`select (select coalesce(max(id), 0) from cases) as c, (select coalesce(max(id), 0) from hotline_tickets) as t,
               (select coalesce(max(id), 0) from alarms) as a`,
    tx,
  );
  return { caseId: Number(r.c) + 1, ticketId: Number(r.t) + 1, alarmId: Number(r.a) + 1 };
}

async function chunked<T>(rows: readonly T[], write: (part: readonly T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

const col = (values: readonly (string | number | boolean | null)[], type: string): SQL =>
  sql`${pgArray(values)}::${sql.raw(type)}[]`;
const point = (lon: string, lat: string) =>
  sql.raw(
    `case when ${lon} is null or ${lat} is null then null else ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326) end`,
  );

/** Writes the recorded rows and cuts their holdings, inside `tx`. */
export async function writeHistory(
  db: Database,
  tx: Orm,
  rows: {
    cases: readonly CaseRow[];
    tickets: readonly TicketRow[];
    events: readonly EventRow[];
    alarms: readonly AlarmRow[];
  },
  log: (msg: string, data?: Record<string, unknown>) => void = () => {},
  replayFrom: Date | null = null,
): Promise<void> {
  // Every row is generated consistent (ids, references), so a superuser (always on embedded PGlite) skips
  // the per-row foreign-key triggers for this transaction: they cost more than the inserts themselves.
  const [su] = await db.rows<{ on: string }>(sql`select current_setting('is_superuser') as on`, tx);
  if (su?.on === 'on') await db.rows(sql`set local session_replication_role = replica`, tx);
  let t = Date.now();
  const step = (what: string) => {
    log(`history: ${what} written`, { ms: Date.now() - t });
    t = Date.now();
  };
  await chunked(rows.cases, async (p) => {
    await db.rows(
      sql`
      insert into cases (id, code, title, description, system_text, category, state, priority, source, triage, address, street_id,
                         grid_cell_id, department_id, sensor_id, geom, reports, dispatched_at, sign_due_at, signed_at,
                         allowed_hours, due_soon_at, due_at, pending_extension_hours, resolved_at, rating, closed_at,
                         version, created_at, updated_at)
      select id, code, title, description, system_text::jsonb, category, state, priority, source, triage, address,
             street_id, grid_cell_id, department_id, sensor_id, ${point('lon', 'lat')}, reports, dispatched_at, sign_due_at, signed_at,
             allowed_hours, due_soon_at, due_at, pending_extension_hours, resolved_at, rating, closed_at, version,
             created_at, updated_at
      from unnest(${col(
        p.map((c) => c.id),
        'int',
      )}, ${col(
        p.map((c) => c.code),
        'text',
      )}, ${col(
        p.map((c) => c.title),
        'text',
      )},
                  ${col(
                    p.map((c) => c.description),
                    'text',
                  )}, ${col(
                    p.map((c) => (c.systemText ? JSON.stringify(c.systemText) : null)),
                    'text',
                  )}, ${col(
                    p.map((c) => c.category),
                    'text',
                  )},
                  ${col(
                    p.map((c) => c.state),
                    'text',
                  )}, ${col(
                    p.map((c) => c.priority),
                    'smallint',
                  )},
                  ${col(
                    p.map((c) => c.source),
                    'text',
                  )}, ${col(
                    p.map((c) => c.triage),
                    'boolean',
                  )},
                  ${col(
                    p.map((c) => c.address),
                    'text',
                  )}, ${col(
                    p.map((c) => c.streetId),
                    'int',
                  )},
                  ${col(
                    p.map((c) => c.gridCellId),
                    'int',
                  )}, ${col(
                    p.map((c) => c.departmentId),
                    'int',
                  )},
                  ${col(
                    p.map((c) => c.sensorId),
                    'int',
                  )}, ${col(
                    p.map((c) => c.lon),
                    'float8',
                  )},
                  ${col(
                    p.map((c) => c.lat),
                    'float8',
                  )}, ${col(
                    p.map((c) => c.reports),
                    'int',
                  )},
                  ${col(
                    p.map((c) => isoOf(c.dispatchedAt)),
                    'timestamptz',
                  )}, ${col(
                    p.map((c) => isoOf(c.signDueAt)),
                    'timestamptz',
                  )},
                  ${col(
                    p.map((c) => isoOf(c.signedAt)),
                    'timestamptz',
                  )}, ${col(
                    p.map((c) => c.allowedHours),
                    'real',
                  )},
                  ${col(
                    p.map((c) => isoOf(c.dueSoonAt)),
                    'timestamptz',
                  )}, ${col(
                    p.map((c) => isoOf(c.dueAt)),
                    'timestamptz',
                  )},
                  ${col(
                    p.map((c) => c.pendingExtensionHours),
                    'real',
                  )}, ${col(
                    p.map((c) => isoOf(c.resolvedAt)),
                    'timestamptz',
                  )},
                  ${col(
                    p.map((c) => c.rating),
                    'text',
                  )}, ${col(
                    p.map((c) => isoOf(c.closedAt)),
                    'timestamptz',
                  )},
                  ${col(
                    p.map((c) => c.version),
                    'int',
                  )}, ${col(
                    p.map((c) => isoOf(c.createdAt)),
                    'timestamptz',
                  )},
                  ${col(
                    p.map((c) => isoOf(c.updatedAt)),
                    'timestamptz',
                  )})
        as x(id, code, title, description, system_text, category, state, priority, source, triage, address, street_id,
             grid_cell_id, department_id, sensor_id, lon, lat, reports, dispatched_at, sign_due_at, signed_at, allowed_hours,
             due_soon_at, due_at, pending_extension_hours, resolved_at, rating, closed_at, version, created_at, updated_at)`,
      tx,
    );
  });
  step('cases');
  await chunked(rows.tickets, async (p) => {
    await db.rows(
      sql`
      insert into hotline_tickets (id, received_at, channel, caller_name, caller_phone, caller_email, text, address, geom,
                                   placement, street_id, grid_cell_id, case_id, source, category, confidence,
                                   suggestions, duplicate, token, taken_by)
      select id, received_at, channel, caller_name, caller_phone, caller_email, text, address, ${point('lon', 'lat')},
             placement, street_id, grid_cell_id, case_id, source, category, confidence, suggestions::jsonb, duplicate,
             token, taken_by
      from unnest(${col(
        p.map((t) => t.id),
        'int',
      )}, ${col(
        p.map((t) => isoOf(t.receivedAt)),
        'timestamptz',
      )},
                  ${col(
                    p.map((t) => t.channel),
                    'text',
                  )}, ${col(
                    p.map((t) => t.callerName),
                    'text',
                  )},
                  ${col(
                    p.map((t) => t.callerPhone),
                    'text',
                  )}, ${col(
                    p.map((t) => t.callerEmail),
                    'text',
                  )},
                  ${col(
                    p.map((t) => t.text),
                    'text',
                  )}, ${col(
                    p.map((t) => t.address),
                    'text',
                  )},
                  ${col(
                    p.map((t) => t.lon),
                    'float8',
                  )}, ${col(
                    p.map((t) => t.lat),
                    'float8',
                  )},
                  ${col(
                    p.map((t) => t.placement),
                    'text',
                  )}, ${col(
                    p.map((t) => t.streetId),
                    'int',
                  )},
                  ${col(
                    p.map((t) => t.gridCellId),
                    'int',
                  )}, ${col(
                    p.map((t) => t.caseId),
                    'int',
                  )},
                  ${col(
                    p.map((t) => t.source),
                    'text',
                  )}, ${col(
                    p.map((t) => t.category),
                    'text',
                  )},
                  ${col(
                    p.map((t) => t.confidence),
                    'real',
                  )},
                  ${col(
                    p.map((t) => (t.suggestions === null ? null : JSON.stringify(t.suggestions))),
                    'text',
                  )},
                  ${col(
                    p.map((t) => t.duplicate),
                    'boolean',
                  )}, ${col(
                    p.map((t) => t.token),
                    'text',
                  )},
                  ${col(
                    p.map((t) => t.takenBy),
                    'int',
                  )})
        as x(id, received_at, channel, caller_name, caller_phone, caller_email, text, address, lon, lat, placement,
             street_id, grid_cell_id, case_id, source, category, confidence, suggestions, duplicate, token, taken_by)`,
      tx,
    );
  });
  step('tickets');
  await chunked(rows.events, async (p) => {
    await db.rows(
      sql`
      insert into case_events (case_id, at, actor_user_id, actor_role, action, from_state, to_state, note, data)
      select case_id, at, actor_user_id, actor_role, action, from_state, to_state, note, data::jsonb
      from unnest(${col(
        p.map((e) => e.caseId),
        'int',
      )}, ${col(
        p.map((e) => isoOf(e.at)),
        'timestamptz',
      )},
                  ${col(
                    p.map((e) => e.actorUserId),
                    'int',
                  )}, ${col(
                    p.map((e) => e.actorRole),
                    'text',
                  )},
                  ${col(
                    p.map((e) => e.action),
                    'text',
                  )}, ${col(
                    p.map((e) => e.fromState),
                    'text',
                  )},
                  ${col(
                    p.map((e) => e.toState),
                    'text',
                  )}, ${col(
                    p.map((e) => e.note),
                    'text',
                  )},
                  ${col(
                    p.map((e) => JSON.stringify(e.data)),
                    'text',
                  )})
        with ordinality as x(case_id, at, actor_user_id, actor_role, action, from_state, to_state, note, data, n)
      order by n`,
      tx,
    );
  });
  step('case events');
  await chunked(rows.alarms, async (p) => {
    await db.rows(
      sql`
      insert into alarms (id, sensor_id, rule_id, severity, status, opened_at, last_seen_at, occurrences, last_value,
                          acknowledged_by, acknowledged_at, cleared_at, case_id)
      select id, sensor_id, rule_id, severity, 'cleared', opened_at, last_seen_at, occurrences, last_value::jsonb,
             acknowledged_by, acknowledged_at, cleared_at, case_id
      from unnest(${col(
        p.map((a) => a.id),
        'bigint',
      )}, ${col(
        p.map((a) => a.sensorId),
        'int',
      )},
                  ${col(
                    p.map((a) => a.ruleId),
                    'text',
                  )}, ${col(
                    p.map((a) => a.severity),
                    'smallint',
                  )},
                  ${col(
                    p.map((a) => isoOf(a.openedAt)),
                    'timestamptz',
                  )}, ${col(
                    p.map((a) => isoOf(a.lastSeenAt)),
                    'timestamptz',
                  )},
                  ${col(
                    p.map((a) => a.occurrences),
                    'int',
                  )}, ${col(
                    p.map((a) => JSON.stringify(a.lastValue)),
                    'text',
                  )},
                  ${col(
                    p.map((a) => a.acknowledgedBy),
                    'int',
                  )}, ${col(
                    p.map((a) => isoOf(a.acknowledgedAt)),
                    'timestamptz',
                  )},
                  ${col(
                    p.map((a) => isoOf(a.clearedAt)),
                    'timestamptz',
                  )}, ${col(
                    p.map((a) => a.caseId),
                    'int',
                  )})
        with ordinality as x(id, sensor_id, rule_id, severity, opened_at, last_seen_at, occurrences, last_value,
                             acknowledged_by, acknowledged_at, cleared_at, case_id, n)
      order by n`,
      tx,
    );
  });
  // Serial columns continue after the history's ids.
  await db.rows(
    sql`select setval(pg_get_serial_sequence('cases', 'id'), greatest((select coalesce(max(id), 0) from cases), 1), (select count(*) > 0 from cases)),
               setval(pg_get_serial_sequence('hotline_tickets', 'id'), greatest((select coalesce(max(id), 0) from hotline_tickets), 1), (select count(*) > 0 from hotline_tickets)),
               setval(pg_get_serial_sequence('alarms', 'id'), greatest((select coalesce(max(id), 0) from alarms), 1), (select count(*) > 0 from alarms))`,
    tx,
  );
  step('alarms');
  if (replayFrom) {
    // Replay's past: the sensor states the alarms imply over its window, numbered in time order from the
    // change-feed sequence, on a checkpoint of all normal just before the window.
    const tr = transitionsOfAlarms(rows.alarms, replayFrom);
    // A block of numbers reserved at once, so the rows' numbers follow their (time) order exactly.
    const [{ base }] = await db.rows<{ base: string | number }>(
      sql`select setval('sensor_state_seq', nextval('sensor_state_seq') + ${tr.length}) - ${tr.length} as base`,
      tx,
    );
    for (let i = 0; i < tr.length; i += CHUNK) {
      const p = tr.slice(i, i + CHUNK);
      await db.rows(
        sql`insert into sensor_transitions (sensor_id, seq, at, state)
            select sensor_id, ${Number(base) + i} + n, at, state
            from unnest(${col(
              p.map((t) => t.sensorId),
              'int',
            )}, ${col(
              p.map((t) => isoOf(t.at)),
              'timestamptz',
            )}, ${col(
              p.map((t) => t.state),
              'smallint',
            )}) with ordinality as x(sensor_id, at, state, n)`,
        tx,
      );
    }
    await db.rows(
      sql`insert into replay_checkpoints (at, seq, sensor_ids, states)
          values (${new Date(replayFrom.getTime() - 1).toISOString()}::timestamptz, 0, '{}', '{}')`,
      tx,
    );
    step('sensor transitions');
  }
  // The whole table in one pass (what ensureCaseHoldings does): far cheaper than a list of 100,000 ids.
  if (rows.cases.length) await writeCaseHoldings(db, undefined, tx);
  step('case holdings');
  if (su?.on === 'on') await db.rows(sql`set local session_replication_role = origin`, tx);
}
