// case_holdings: a projection of case_events, one row per stretch during which one unit held a case,
// cut in SQL exactly as domain/kpis.ts holdingsOf cuts events (a holding starts at dispatch, reassign or
// reopen). The case repository re-cuts a case with every event it writes, in the same transaction; the
// whole table is rebuilt at start-up when HOLDINGS_CUT_VERSION differs from the one it was cut with.
import { sql, type SQL } from 'drizzle-orm';
import type { Database, Orm } from '../client';

const STARTS = sql.raw(`('dispatch','reassign','reopen')`);
/** Actions that change a case's holdings; others (receive, call_back, notes …) leave them as they are. */
export const HOLDING_ACTIONS: readonly string[] = [
  'dispatch',
  'reassign',
  'reopen',
  'sign',
  'request_extension',
  'decide_extension',
  'resolve',
  'return',
  'rate',
];
const NEEDED = sql.raw(`(${HOLDING_ACTIONS.map((a) => `'${a}'`).join(',')})`);
const idArray = (ids: readonly number[]) => sql`${`{${ids.map((id) => Math.trunc(id)).join(',')}}`}::int[]`;

/** Bump when cutHoldings changes: case_holdings is then rebuilt at the next start (ensureHoldings). */
export const HOLDINGS_CUT_VERSION = 1;

/** Inserts the holdings of the cases whose events match `only` (a condition on case_events e). */
const cutHoldings = (only: SQL) => sql`
  insert into case_holdings (case_id, seq, department_id, started_by, started_at, sign_due_at, signed_at, due_at,
                             resolved_at, returned_at, extension_requested_at, extension_approved_at, rating,
                             rated_at, next_started_by, next_started_at, next_department_id, last_at)
  with ev as (
    select e.case_id, e.at, e.action,
           case when e.action in ${STARTS} then (e.data->>'departmentId')::int end as department_id,
           case when e.action in ${STARTS} then e.data->>'signDueAt'
                when e.action = 'sign' or (e.action = 'decide_extension' and e.data->>'approved' = 'true')
                then e.data->>'dueAt' end as due,
           e.action = 'decide_extension' and e.data->>'approved' = 'true' as approved,
           case when e.action = 'rate' and e.data->>'rating' in ('satisfied','partly','unsatisfied')
                then e.data->>'rating' end as rating,
           count(*) filter (where e.action in ${STARTS})
             over (partition by e.case_id order by e.at, e.id) as h
    from case_events e
    where e.action in ${NEEDED} and ${only}
  ),
  hold as (
    select case_id, h,
           min(at) filter (where action in ${STARTS}) as started_at,
           min(action) filter (where action in ${STARTS}) as started_by,
           min(department_id) as department_id,
           min(due::timestamptz) filter (where action in ${STARTS}) as sign_due_at,
           min(at) filter (where action = 'sign') as signed_at,
           max(due::timestamptz) filter (where action not in ${STARTS}) as due_at,
           min(at) filter (where action = 'resolve') as resolved_at,
           min(at) filter (where action = 'return') as returned_at,
           array_agg(at order by at) filter (where action = 'request_extension') as ext_req,
           array_agg(at order by at) filter (where approved) as ext_ok,
           min(rating) as rating,
           min(at) filter (where rating is not null) as rated_at
    from ev where h > 0
    group by case_id, h
  ),
  owned as (
    select hold.*, coalesce(department_id, lag(department_id) over w) as dep
    from hold window w as (partition by case_id order by h)
  ),
  linked as (
    select owned.*,
           lead(started_by) over w as next_by,
           lead(started_at) over w as next_at,
           lead(dep) over w as next_dep
    from owned where dep is not null
    window w as (partition by case_id order by h)
  )
  select case_id, row_number() over (partition by case_id order by h), dep, started_by, started_at,
         sign_due_at, signed_at, due_at, resolved_at, returned_at, ext_req, ext_ok, rating, rated_at,
         next_by, next_at, next_dep,
         greatest(started_at, sign_due_at, signed_at, due_at, resolved_at, returned_at, rated_at, next_at,
                  ext_req[array_upper(ext_req, 1)], ext_ok[array_upper(ext_ok, 1)])
  from linked`;

/**
 * Re-cuts the holdings of the given cases, or of every case when `caseIds` is absent. Runs in `tx` when
 * given (a case event write), else in a transaction of its own.
 */
export async function writeCaseHoldings(db: Database, caseIds?: readonly number[], tx?: Orm): Promise<void> {
  if (caseIds && caseIds.length === 0) return;
  const work = async (t: Orm) => {
    if (caseIds) {
      await db.rows(sql`delete from case_holdings where case_id = any(${idArray(caseIds)})`, t);
      await db.rows(cutHoldings(sql`e.case_id = any(${idArray(caseIds)})`), t);
      return;
    }
    // One pass over millions of events: JIT costs more than it saves, and the window sorts should stay
    // in memory.
    await db.rows(sql`set local jit = off`, t).catch(() => {});
    await db.rows(sql`set local work_mem = '64MB'`, t);
    await db.rows(sql`delete from case_holdings`, t);
    await db.rows(cutHoldings(sql`true`), t);
  };
  if (tx) await work(tx);
  else await db.orm.transaction(async (t) => work(t as unknown as Orm));
}

/**
 * Rebuilds case_holdings unless meta says it was cut by this HOLDINGS_CUT_VERSION. Returns whether it
 * rebuilt. Called at start-up; one small read when nothing changed.
 */
export async function ensureCaseHoldings(db: Database): Promise<boolean> {
  const [r] = await db.rows<{ value: unknown }>(sql`select value from meta where key = 'case_holdings_cut'`);
  if (r && Number(typeof r.value === 'string' ? JSON.parse(r.value) : r.value) === HOLDINGS_CUT_VERSION)
    return false;
  await writeCaseHoldings(db);
  await db.rows(sql`
    insert into meta (key, value, updated_at)
    values ('case_holdings_cut', ${String(HOLDINGS_CUT_VERSION)}::jsonb, now())
    on conflict (key) do update set value = excluded.value, updated_at = now()`);
  return true;
}
