// The demo's simulated people: duty officers of the service center and one desk worker per unit. They are
// real user rows (so case events name them, as for anybody), disabled so nobody can sign in as them, and
// their names say they are simulated. The history generator and the live desk workers act as them.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { CaseActor } from '../services/case.service';

/** The simulated actors, by role. */
export interface SimActors {
  /** Duty officers of the service center (acknowledge alarms, triage, decide returns and extensions, call back). */
  officers: (CaseActor & { displayName: string })[];
  /** One desk worker per department or street office, keyed by departments.id. */
  staffByDepartment: Map<number, CaseActor & { displayName: string }>;
}

/** Officers' names (simulated; the demo's real logins are separate accounts). */
const OFFICER_NAMES = ['周敏', '孙浩', '吴婷'];

/** A password hash no password matches (scrypt hashes start with "scrypt$"). */
const NO_LOGIN = 'disabled$simulated';

/** Creates the simulated users once (idempotent) and returns them. */
export async function ensureSimActors(db: Database): Promise<SimActors> {
  const departments = await db.rows<{ id: number; code: string; name: string }>(
    sql`select id, code, name from departments order by id`,
  );
  const wanted = [
    ...OFFICER_NAMES.map((n, i) => ({
      username: `sim-officer-${i + 1}`,
      displayName: `${n}（模拟值班员）`,
      role: 'officer',
      departmentId: null as number | null,
    })),
    ...departments.map((d) => ({
      username: `sim-staff-${d.code}`,
      displayName: `${d.name}（模拟经办人）`,
      role: 'staff',
      departmentId: d.id as number | null,
    })),
  ];
  const json = JSON.stringify(
    wanted.map((w) => ({
      username: w.username,
      display_name: w.displayName,
      role: w.role,
      department_id: w.departmentId,
    })),
  );
  await db.orm.execute(sql`
    insert into users (username, display_name, password_hash, role, department_id, disabled)
    select username, display_name, ${NO_LOGIN}, role, department_id, true
    from json_to_recordset(${json}::json) as x(username text, display_name text, role text, department_id int)
    on conflict (username) do nothing`);
  const rows = await db.rows<{
    id: number;
    username: string;
    displayName: string;
    role: string;
    departmentId: number | null;
  }>(
    sql`select id, username, display_name as "displayName", role, department_id as "departmentId"
        from users where username like 'sim-%' order by id`,
  );
  const officers: SimActors['officers'] = [];
  const staffByDepartment: SimActors['staffByDepartment'] = new Map();
  for (const r of rows) {
    if (r.role === 'officer' && r.username.startsWith('sim-officer-'))
      officers.push({ userId: r.id, role: 'officer', departmentId: null, displayName: r.displayName });
    else if (r.role === 'staff' && r.departmentId !== null)
      staffByDepartment.set(r.departmentId, {
        userId: r.id,
        role: 'staff',
        departmentId: r.departmentId,
        displayName: r.displayName,
      });
  }
  return { officers, staffByDepartment };
}
