import { describe, expect, it } from 'vitest';
import { can, isRole, type Actor } from './roles';

const admin: Actor = { role: 'admin', departmentId: null };
const leader: Actor = { role: 'leader', departmentId: null };
const officer: Actor = { role: 'officer', departmentId: null };
const staff: Actor = { role: 'staff', departmentId: 7 };

describe('can', () => {
  it('lets nobody do anything without a session', () => {
    expect(can(null, 'map:view')).toBe(false);
    expect(can(null, 'department:view', { departmentId: 7 })).toBe(false);
  });

  it('opens the admin pages to admins only', () => {
    expect(can(admin, 'admin:view')).toBe(true);
    for (const a of [leader, officer, staff]) expect(can(a, 'admin:view')).toBe(false);
  });

  it('shows department staff their own department and no other', () => {
    expect(can(staff, 'department:view', { departmentId: 7 })).toBe(true);
    expect(can(staff, 'department:view', { departmentId: 8 })).toBe(false);
    expect(can(staff, 'department:view')).toBe(false);
    expect(can(officer, 'department:view', { departmentId: 8 })).toBe(true);
  });

  it('keeps the hotline ticker from department staff', () => {
    expect(can(staff, 'tickets:view')).toBe(false);
    expect(can(leader, 'tickets:view')).toBe(true);
  });

  it('lets only duty officers and admins acknowledge alarms', () => {
    expect(can(officer, 'alarms:ack')).toBe(true);
    expect(can(admin, 'alarms:ack')).toBe(true);
    expect(can(leader, 'alarms:ack')).toBe(false);
    expect(can(staff, 'alarms:ack')).toBe(false);
    expect(can(null, 'alarms:ack')).toBe(false);
  });

  it('lets every signed-in role see the map', () => {
    for (const a of [admin, leader, officer, staff]) expect(can(a, 'map:view')).toBe(true);
  });
});

describe('isRole', () => {
  it('accepts the four roles and nothing else', () => {
    expect(['admin', 'leader', 'officer', 'staff'].every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole('')).toBe(false);
  });
});
