import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  CASE_STATES,
  decide,
  type CaseCommand,
  type CaseFacts,
  type CaseState,
} from './case-workflow';
import type { Actor } from './roles';

const NOW = new Date('2026-11-27T02:00:00Z');
const DEPT = 7;
const officer: Actor = { role: 'officer', departmentId: null };
const admin: Actor = { role: 'admin', departmentId: null };
const leader: Actor = { role: 'leader', departmentId: null };
const staff: Actor = { role: 'staff', departmentId: DEPT };
const otherStaff: Actor = { role: 'staff', departmentId: DEPT + 1 };

const facts = (state: CaseState, extra: Partial<CaseFacts> = {}): CaseFacts => ({
  state,
  departmentId: state === 'received' ? null : DEPT,
  priority: 2,
  rating: state === 'rated' || state === 'closed' ? 'satisfied' : null,
  pendingExtensionHours: null,
  ...extra,
});

const commands: Record<string, CaseCommand> = {
  dispatch: { action: 'dispatch', departmentId: 3 },
  reassign: { action: 'reassign', departmentId: 3, note: '职责不符，改派' },
  sign: { action: 'sign' },
  start: { action: 'start' },
  return: { action: 'return', note: '不属于本单位职责' },
  resolve: { action: 'resolve', note: '已修复' },
  request_extension: { action: 'request_extension', hours: 16, note: '需采购配件' },
  decide_extension: { action: 'decide_extension', approve: true },
  urge: { action: 'urge', note: '请尽快处理' },
  call_back: { action: 'call_back', note: '市民确认已修复' },
  rate: { action: 'rate', rating: 'satisfied' },
  close: { action: 'close' },
  reopen: { action: 'reopen', note: '市民不满意' },
  dismiss: { action: 'dismiss', note: '重复来电' },
  reclassify: { action: 'reclassify', category: 'utilities.drainage', priority: 1 },
  place: { action: 'place', lon: 121.45, lat: 31.3 },
};

// Written out by hand from the lifecycle in DESIGN.md: [action, from state, who may, resulting state].
const LEGAL: [string, CaseState, Actor[], CaseState][] = [
  ['dispatch', 'received', [officer, admin], 'dispatched'],
  ['dispatch', 'returned', [officer, admin], 'dispatched'],
  ['dismiss', 'received', [officer, admin], 'closed'],
  ['reclassify', 'received', [officer, admin], 'received'],
  ['reclassify', 'returned', [officer, admin], 'returned'],
  ['reclassify', 'dispatched', [officer, admin], 'dispatched'],
  ['place', 'received', [officer, admin], 'received'],
  ['place', 'returned', [officer, admin], 'returned'],
  ['place', 'dispatched', [officer, admin], 'dispatched'],
  ['place', 'signed', [officer, admin], 'signed'],
  ['place', 'in_progress', [officer, admin], 'in_progress'],
  ['dismiss', 'returned', [officer, admin], 'closed'],
  ['reassign', 'dispatched', [officer, admin], 'dispatched'],
  ['reassign', 'signed', [officer, admin], 'dispatched'],
  ['reassign', 'in_progress', [officer, admin], 'dispatched'],
  ['sign', 'dispatched', [staff], 'signed'],
  ['return', 'dispatched', [staff], 'returned'],
  ['return', 'signed', [staff], 'returned'],
  ['start', 'signed', [staff], 'in_progress'],
  ['resolve', 'signed', [staff], 'resolved'],
  ['resolve', 'in_progress', [staff], 'resolved'],
  ['request_extension', 'signed', [staff], 'signed'],
  ['request_extension', 'in_progress', [staff], 'in_progress'],
  ['urge', 'dispatched', [officer, admin, leader], 'dispatched'],
  ['urge', 'signed', [officer, admin, leader], 'signed'],
  ['urge', 'in_progress', [officer, admin, leader], 'in_progress'],
  ['call_back', 'resolved', [officer, admin], 'called_back'],
  ['rate', 'called_back', [officer, admin], 'rated'],
  ['close', 'rated', [officer, admin], 'closed'],
  ['reopen', 'closed', [officer, admin], 'dispatched'],
];
const ACTORS = [officer, admin, leader, staff, otherStaff];
const name = (a: Actor) => (a === otherStaff ? 'staff of another department' : a.role);

describe('case state machine', () => {
  for (const [action, from, who, to] of LEGAL) {
    for (const actor of who) {
      it(`${name(actor)} may ${action} a ${from} case → ${to}`, () => {
        const d = decide(facts(from), commands[action], actor, NOW);
        expect(d).toMatchObject({
          ok: true,
          change: { toState: to },
          event: { action, fromState: from, toState: to },
        });
        expect(allowedActions(facts(from), actor)).toContain(action);
      });
    }
  }

  it('refuses every other action, state and role combination, naming why', () => {
    let refused = 0;
    for (const action of Object.keys(commands)) {
      for (const state of CASE_STATES) {
        for (const actor of ACTORS) {
          const legal = LEGAL.some(([a, s, who]) => a === action && s === state && who.includes(actor));
          if (legal) continue;
          const d = decide(facts(state), commands[action], actor, NOW);
          if (action === 'decide_extension' && d.ok === false && d.code === 'illegal_state') {
            refused++;
            continue;
          }
          expect(d.ok, `${name(actor)} ${action} on ${state}`).toBe(false);
          if (!d.ok) expect(d.message).toMatch(/only|cannot|extension|unsatisfied/);
          expect(allowedActions(facts(state), actor)).not.toContain(action);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(500);
  });

  it('staff of another department cannot touch a case dispatched elsewhere', () => {
    const d = decide(facts('dispatched'), { action: 'sign' }, otherStaff, NOW);
    expect(d).toEqual({
      ok: false,
      code: 'forbidden',
      message: 'only staff of the department the case is dispatched to may sign a case',
    });
  });

  it('signing starts the deadline clock at now', () => {
    const d = decide(facts('dispatched'), { action: 'sign' }, staff, NOW);
    expect(d.ok && d.change.signedAt).toEqual(NOW);
  });

  it('actions that need a reason refuse an empty note', () => {
    for (const [state, cmd, actor] of [
      ['dispatched', { action: 'return', note: '  ' }, staff],
      ['signed', { action: 'resolve', note: '' }, staff],
      ['signed', { action: 'reassign', departmentId: 3, note: '' }, officer],
      ['signed', { action: 'urge', note: '' }, leader],
      ['resolved', { action: 'call_back', note: '' }, officer],
      ['received', { action: 'dismiss', note: '' }, officer],
    ] as [CaseState, CaseCommand, Actor][]) {
      const d = decide(facts(state), cmd, actor, NOW);
      expect(d, cmd.action).toMatchObject({ ok: false, code: 'invalid' });
    }
  });

  it('an extension is requested once, then approved (adding hours) or rejected', () => {
    const req = decide(facts('in_progress'), commands.request_extension, staff, NOW);
    expect(req).toMatchObject({ ok: true, change: { pendingExtensionHours: 16 } });
    const pending = facts('in_progress', { pendingExtensionHours: 16 });
    expect(decide(pending, commands.request_extension, staff, NOW)).toMatchObject({
      ok: false,
      code: 'illegal_state',
    });
    expect(allowedActions(pending, officer)).toContain('decide_extension');
    expect(decide(pending, { action: 'decide_extension', approve: true }, officer, NOW)).toMatchObject({
      ok: true,
      change: { extendHours: 16, pendingExtensionHours: null },
      event: { data: { approved: true, hours: 16 } },
    });
    expect(decide(pending, { action: 'decide_extension', approve: false }, officer, NOW)).toMatchObject({
      ok: true,
      change: { extendHours: 0, pendingExtensionHours: null },
    });
    expect(decide(pending, { action: 'decide_extension', approve: true }, staff, NOW)).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
  });

  it('refuses extension hours out of range', () => {
    for (const hours of [0, -4, 241, Number.NaN])
      expect(
        decide(facts('signed'), { action: 'request_extension', hours, note: 'x' }, staff, NOW),
      ).toMatchObject({
        ok: false,
        code: 'invalid',
      });
  });

  it('an unsatisfied rating reopens to the same department instead of closing', () => {
    const rated = facts('rated', { rating: 'unsatisfied' });
    expect(decide(rated, { action: 'close' }, officer, NOW)).toMatchObject({
      ok: false,
      code: 'illegal_state',
    });
    expect(allowedActions(rated, officer)).toEqual(expect.arrayContaining(['reopen']));
    expect(allowedActions(rated, officer)).not.toContain('close');
    expect(decide(rated, commands.reopen, officer, NOW)).toMatchObject({
      ok: true,
      change: { toState: 'dispatched', departmentId: DEPT, rating: null, restartClock: true },
    });
    expect(decide(facts('rated'), commands.reopen, officer, NOW)).toMatchObject({
      ok: false,
      code: 'illegal_state',
    });
  });

  it('rating must be one of the three verdicts', () => {
    const d = decide(facts('called_back'), { action: 'rate', rating: 'great' as never }, officer, NOW);
    expect(d).toMatchObject({
      ok: false,
      code: 'invalid',
      message: 'rating must be one of satisfied, partly, unsatisfied',
    });
  });

  it('reclassifying needs a known category', () => {
    const d = decide(facts('received'), { action: 'reclassify', category: 'roads.nope' }, officer, NOW);
    expect(d).toEqual({ ok: false, code: 'invalid', message: 'unknown category "roads.nope"' });
  });

  it('reassigning to the same department is refused', () => {
    const d = decide(facts('signed'), { action: 'reassign', departmentId: DEPT, note: 'x' }, officer, NOW);
    expect(d).toMatchObject({ ok: false, code: 'invalid' });
  });
});
