// Who may do what. Pure: every route and socket handler asks here instead of comparing role strings.

export const ROLES = ['admin', 'leader', 'officer', 'staff', 'display'] as const;
/**
 * admin: system administrator; leader: district leader; officer: service-center duty officer; staff: department
 * staff; display: an unattended wall display signed in with a display token (read-only, no personal data).
 */
export type Role = (typeof ROLES)[number];

export type Permission =
  /** See the live map, sensors and their details. */
  | 'map:view'
  /** See hotline tickets as they arrive (summaries, no personal data). */
  | 'tickets:view'
  /** Open the admin pages (users, system status). */
  | 'admin:view'
  /** See one department's internal work-order list. */
  | 'department:view'
  /** Acknowledge a sensor alarm (duty officers and admins). */
  | 'alarms:ack'
  /** Change one sensor's alarm rules (per-sensor overrides of its family's rules). */
  | 'rules:override'
  /** See cases (工单): all of them, or staff their own department's (pass the case's departmentId). */
  | 'cases:view'
  /** Take a hotline call: enter a report through the operator form (duty officers and admins). */
  | 'cases:intake'
  /** Open the leaders' wall (/wall) and its aggregate figures: no personal data, no case lists. */
  | 'wall:view'
  /** Rebuild the operations picture at a past instant (leaders, duty officers, admins). */
  | 'replay:view';

/** The user as the rules see them. */
export interface Actor {
  role: Role;
  /** Department (or street office) for staff; null for everyone else. */
  departmentId: number | null;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether `actor` may do `permission`; `departmentId` is the department a department-scoped action targets. */
export function can(
  actor: Actor | null,
  permission: Permission,
  target: { departmentId?: number } = {},
): boolean {
  if (!actor) return false;
  switch (permission) {
    case 'map:view':
      return true;
    case 'tickets:view':
      return actor.role !== 'staff' && actor.role !== 'display';
    case 'admin:view':
      return actor.role === 'admin';
    case 'department:view':
      if (actor.role === 'display') return false;
      if (actor.role === 'staff')
        return target.departmentId !== undefined && actor.departmentId === target.departmentId;
      return true;
    case 'alarms:ack':
      return actor.role === 'officer' || actor.role === 'admin';
    case 'rules:override':
      return actor.role === 'officer' || actor.role === 'admin';
    case 'cases:view':
      if (actor.role === 'display') return false;
      if (actor.role === 'staff')
        return target.departmentId === undefined || actor.departmentId === target.departmentId;
      return true;
    case 'cases:intake':
      return actor.role === 'officer' || actor.role === 'admin';
    case 'wall:view':
      return actor.role !== 'staff';
    case 'replay:view':
      return actor.role === 'leader' || actor.role === 'officer' || actor.role === 'admin';
  }
}
