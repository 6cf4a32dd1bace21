import { describe, expect, it } from 'vitest';
import { replayCase, type RecordedEvent } from './case-history';

const ev = (
  at: string,
  action: string,
  fromState: string | null,
  toState: string,
  data: Record<string, unknown> = {},
) => ({ at, action, fromState, toState, data }) as RecordedEvent;

describe('replaying a case from its events', () => {
  it('rebuilds state, department, deadlines, extension and rating', () => {
    const c = replayCase([
      ev('t1', 'receive', null, 'received', { category: 'utilities.drainage', priority: 2 }),
      ev('t2', 'dispatch', 'received', 'dispatched', { departmentId: 4, signDueAt: 's1' }),
      ev('t3', 'sign', 'dispatched', 'signed', { allowedHours: 24, dueAt: 'd1' }),
      ev('t4', 'request_extension', 'signed', 'signed', { hours: 8 }),
      ev('t5', 'decide_extension', 'signed', 'signed', {
        approved: true,
        hours: 8,
        allowedHours: 32,
        dueAt: 'd2',
      }),
      ev('t6', 'resolve', 'signed', 'resolved'),
      ev('t7', 'call_back', 'resolved', 'called_back'),
      ev('t8', 'rate', 'called_back', 'rated', { rating: 'unsatisfied' }),
      ev('t9', 'reopen', 'rated', 'dispatched', { departmentId: 4, signDueAt: 's2' }),
    ]);
    expect(c).toEqual({
      state: 'dispatched',
      category: 'utilities.drainage',
      priority: 2,
      departmentId: 4,
      signDueAt: 's2',
      signedAt: null,
      allowedHours: null,
      dueAt: null,
      pendingExtensionHours: null,
      resolvedAt: null,
      rating: null,
      closedAt: null,
    });
  });

  it('keeps the deadline when an extension is rejected', () => {
    const c = replayCase([
      ev('t1', 'receive', null, 'received', { category: 'x', priority: 1 }),
      ev('t2', 'dispatch', 'received', 'dispatched', { departmentId: 4 }),
      ev('t3', 'sign', 'dispatched', 'signed', { allowedHours: 4, dueAt: 'd1' }),
      ev('t4', 'request_extension', 'signed', 'signed', { hours: 8 }),
      ev('t5', 'decide_extension', 'signed', 'signed', { approved: false, hours: 8 }),
    ]);
    expect(c).toMatchObject({ allowedHours: 4, dueAt: 'd1', pendingExtensionHours: null, signedAt: 't3' });
  });

  it('refuses a history with a gap', () => {
    expect(() =>
      replayCase([ev('t1', 'receive', null, 'received'), ev('t2', 'sign', 'dispatched', 'signed')]),
    ).toThrow('event "sign" at t2 starts from dispatched, but the case was received');
  });
});
