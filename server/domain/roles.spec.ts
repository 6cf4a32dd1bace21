import { describe, expect, it } from 'vitest';
import { can, isRole, type Actor } from './roles';

const admin: Actor = { role: 'admin', departmentId: null };
const leader: Actor = { role: 'leader', departmentId: null };
const officer: Actor = { role: 'officer', departmentId: null };
const staff: Actor = { role: 'staff', departmentId: 7 };
const display: Actor = { role: 'display', departmentId: null };

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
    for (const a of [admin, leader, officer, staff, display]) expect(can(a, 'map:view')).toBe(true);
  });

  it('opens the wall to displays, leaders, duty officers and admins, not to department staff', () => {
    for (const a of [display, leader, officer, admin]) expect(can(a, 'wall:view')).toBe(true);
    expect(can(staff, 'wall:view')).toBe(false);
    expect(can(null, 'wall:view')).toBe(false);
  });

  it('keeps a wall display read-only and away from personal data', () => {
    for (const p of ['alarms:ack', 'rules:override', 'cases:intake', 'admin:view'] as const)
      expect(can(display, p)).toBe(false);
    // Case lists and hotline tickets carry complaint text and callers: a display sees aggregates only.
    expect(can(display, 'cases:view')).toBe(false);
    expect(can(display, 'cases:view', { departmentId: 7 })).toBe(false);
    expect(can(display, 'tickets:view')).toBe(false);
    expect(can(display, 'department:view', { departmentId: 7 })).toBe(false);
  });
});

describe('isRole', () => {
  it('accepts the five roles and nothing else', () => {
    expect(['admin', 'leader', 'officer', 'staff', 'display'].every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole('')).toBe(false);
  });
});
