// Seeds a benchmark database with cases that have realistic event sequences (receive, dispatch, sign,
// resolve, call-back, rate; some signed or resolved late, returned and dispatched again, extended, reopened
// after an unsatisfied rating, left open; a tenth sensor-born with an acknowledged alarm). Shared by
// bench:performance and anyone who wants such a database to look at.
import postgres from 'postgres';

/** Cases spread evenly over [from, to), with their events and alarms; returns the number of events. */
export async function seedPerformanceCases(
  url: string,
  from: Date,
  to: Date,
  CASES: number,
): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const span = (to.getTime() - from.getTime()) / 1000 - 10 * 86_400; // leave room for the last cases' events
  await sql.unsafe(`
    create temporary table deps as
      select id, row_number() over (order by id) - 1 as n from departments where kind <> 'service_center';
    create temporary table sens as select id, row_number() over (order by id) - 1 as n from sensors;`);
  const [{ ndep }] = await sql`select count(*)::int as ndep from deps`;
  const [{ nsens }] = await sql`select count(*)::int as nsens from sens`;
  // One row per case with every instant of its story; the flags come from cheap hashes of the case number.
  await sql.unsafe(`
    create unlogged table plan as
    with base as (
      select g as id,
             timestamptz '${from.toISOString()}' + (g::float8 / ${CASES} * ${span}) * interval '1 second' as t0,
             (g::bigint * 2654435761 % 1000)::int as h, (g::bigint * 40503 % 1000)::int as h2,
             (g::bigint * 7919 % 1000)::int as h3,
             (g % ${ndep})::int as dn
      from generate_series(1, ${CASES}) g
    ), s1 as (
      select b.*, d1.id as d1, d2.id as d2,
             b.t0 + interval '5 minutes' as disp1,
             b.h < 30 as ret, b.h < 15 as unjust
      from base b join deps d1 on d1.n = b.dn join deps d2 on d2.n = (b.dn + 1) % ${ndep}
    ), s2 as (
      select s1.*,
             case when ret then disp1 + interval '30 minutes' end as ret_at,
             case when ret then disp1 + interval '1 hour' end as disp2,
             case when ret and not unjust then d2 else d1 end as dep,
             coalesce(case when ret then disp1 + interval '1 hour' end, disp1) as hold_start
      from s1
    ), s3 as (
      select s2.*,
             hold_start + case when h % 20 = 0 then interval '3 hours' else interval '40 minutes' end as sign_at,
             hold_start + interval '2 hours' as sign_due,
             h2 < 50 as ext, h2 < 40 as ext_ok,
             h3 < 30 as unresolved, h3 >= 30 and h3 < 110 as late,
             h3 % 10 < 7 as rated,
             case when h % 20 < 15 then 'satisfied' when h % 20 < 18 then 'partly' else 'unsatisfied' end as rating
      from s2
    )
    select s3.*,
           sign_at + interval '3 days' as due,
           case when ext_ok then sign_at + interval '5 days' else sign_at + interval '3 days' end as due_final,
           sign_at + interval '1 day' as ext_req_at, sign_at + interval '25 hours' as ext_dec_at,
           case when unresolved then null
                when late then sign_at + interval '4 days'
                else sign_at + interval '20 hours' + (h3 || ' minutes')::interval end as resolve_at,
           rated and not unresolved and rating = 'unsatisfied' and h2 % 2 = 0 as reopen
    from s3;
    alter table plan add primary key (id);`);
  await sql.unsafe(`
    insert into cases (id, code, title, category, state, priority, source, department_id, created_at, updated_at)
    select id, 'PF-' || id, '性能基准诉求 ' || id, 'city.sanitation',
           case when unresolved then 'signed' when reopen then 'resolved' when rated then 'rated' else 'resolved' end,
           2, case when id % 10 = 0 then 'sensor' else 'hotline' end, dep, t0,
           case when unresolved then sign_at when reopen then resolve_at + interval '3 days'
                when rated then resolve_at + interval '1 day' else resolve_at end
    from plan;
    select setval(pg_get_serial_sequence('cases', 'id'), (select max(id) from cases));`);
  const iso = (col: string) => `to_char((${col}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  await sql.unsafe(`
    insert into case_events (case_id, at, actor_role, action, from_state, to_state, data)
    select id, at, role, action, fs, ts, data from (
      select id, t0 as at, 'officer' as role, 'receive' as action, null as fs, 'received' as ts,
             jsonb_build_object('category', 'city.sanitation', 'priority', 2) as data, 1 as k from plan
      union all
      select id, disp1, 'officer', 'dispatch', 'received', 'dispatched',
             jsonb_build_object('departmentId', d1, 'signDueAt', ${iso("disp1 + interval '2 hours'")}), 2 from plan
      union all
      select id, ret_at, 'staff', 'return', 'dispatched', 'returned', jsonb_build_object('departmentId', d1), 3
      from plan where ret
      union all
      select id, disp2, 'officer', 'dispatch', 'returned', 'dispatched',
             jsonb_build_object('departmentId', dep, 'signDueAt', ${iso('sign_due')}), 4 from plan where ret
      union all
      select id, sign_at, 'staff', 'sign', 'dispatched', 'signed',
             jsonb_build_object('allowedHours', 24, 'dueAt', ${iso('due')}), 5 from plan
      union all
      select id, ext_req_at, 'staff', 'request_extension', 'signed', 'signed', jsonb_build_object('hours', 16), 6
      from plan where ext
      union all
      select id, ext_dec_at, 'officer', 'decide_extension', 'signed', 'signed',
             case when ext_ok then jsonb_build_object('approved', true, 'hours', 16, 'allowedHours', 40, 'dueAt', ${iso('due_final')})
                  else jsonb_build_object('approved', false, 'hours', 16) end, 7
      from plan where ext
      union all
      select id, resolve_at, 'staff', 'resolve', 'signed', 'resolved', '{}'::jsonb, 8 from plan where not unresolved
      union all
      select id, resolve_at + interval '20 hours', 'officer', 'call_back', 'resolved', 'called_back', '{}'::jsonb, 9
      from plan where rated and not unresolved
      union all
      select id, resolve_at + interval '1 day', 'officer', 'rate', 'called_back', 'rated',
             jsonb_build_object('rating', rating), 10 from plan where rated and not unresolved
      union all
      select id, resolve_at + interval '25 hours', 'officer', 'reopen', 'rated', 'dispatched',
             jsonb_build_object('departmentId', dep, 'signDueAt', ${iso("resolve_at + interval '27 hours'")}), 11
      from plan where reopen
      union all
      select id, resolve_at + interval '26 hours', 'staff', 'sign', 'dispatched', 'signed',
             jsonb_build_object('allowedHours', 24, 'dueAt', ${iso("resolve_at + interval '5 days'")}), 12
      from plan where reopen
      union all
      select id, resolve_at + interval '3 days', 'staff', 'resolve', 'signed', 'resolved', '{}'::jsonb, 13
      from plan where reopen
    ) e order by id, k;
    insert into alarms (sensor_id, rule_id, severity, status, opened_at, last_seen_at, acknowledged_at, cleared_at, case_id)
    select s.id, 'bench.rule', 2, 'cleared', p.t0 - interval '10 minutes', p.t0, p.t0 + (p.h % 30 || ' minutes')::interval,
           p.t0 + interval '1 day', p.id
    from plan p join sens s on s.n = (p.id / 10) % ${nsens} where p.id % 10 = 0;
    drop table plan;
    analyze cases; analyze case_events; analyze alarms;`);
  const [{ n }] = await sql`select count(*)::int as n from case_events`;
  await sql.end();
  return n;
}
