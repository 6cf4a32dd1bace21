// The case service with its repository faked: deadlines from the calendar, extensions, and the version
// check that keeps two concurrent actions from both applying.
import { describe, expect, it, vi } from 'vitest';
import type { CasePatch, CaseRecord } from '../db/repositories/cases.repository';
import { defaultCalendar } from '../domain/work-calendar';
import { caseService, resolutionClock, type CaseServiceDeps } from './case.service';

const cal = defaultCalendar();
const cst = (local: string) => new Date(`${local}+08:00`);
const silent = { debug() {}, info() {}, warn() {}, error() {} } as unknown as CaseServiceDeps['log'];

function setup(record: Partial<CaseRecord>, applies = true) {
  const c: CaseRecord = {
    id: 1,
    code: 'GD-1',
    state: 'dispatched',
    category: 'utilities.drainage',
    priority: 2,
    departmentId: 5,
    streetId: 1,
    rating: null,
    pendingExtensionHours: null,
    allowedHours: null,
    signedAt: null,
    dueAt: null,
    version: 3,
    ...record,
  };
  const patches: CasePatch[] = [];
  const events: { action: string; data: Record<string, unknown> }[] = [];
  const cases = {
    transaction: async <T>(fn: (tx: never) => Promise<T>) => fn({} as never),
    byCode: vi.fn(async () => c),
    applyChange: vi.fn(async (_id: number, _v: number, p: CasePatch) => {
      patches.push(p);
      return applies;
    }),
    insertEvent: vi.fn(async (_id: number, e: { action: string; data: Record<string, unknown> }) => {
      events.push(e);
    }),
    insertCase: vi.fn(),
    departmentExists: vi.fn(async () => true),
    firstTicket: vi.fn(async () => null),
    insertCorrection: vi.fn(),
  };
  const onChange = vi.fn();
  const service = caseService({
    cases: cases as unknown as CaseServiceDeps['cases'],
    calendar: cal,
    log: silent,
    onChange,
  });
  return { service, patches, events, cases, onChange };
}

const staff = { userId: 9, role: 'staff' as const, departmentId: 5 };
const officer = { userId: 2, role: 'officer' as const, departmentId: null };

describe('case service', () => {
  it('starts the resolution clock at signing, on working hours', async () => {
    const { service, patches, events, onChange } = setup({});
    const r = await service.act('GD-1', { action: 'sign' }, staff, cst('2026-11-27T16:00:00'));
    expect(r).toEqual({ ok: true, code: 'GD-1', state: 'signed' });
    // drainage: 24 working hours from Friday 16:00 → 2 h Fri, 8 h Mon, 8 h Tue, 6 h Wed (09–12, 13–16) → Wed 16:00
    expect(patches[0]).toMatchObject({
      state: 'signed',
      allowedHours: 24,
      dueAt: cst('2026-12-02T16:00:00'),
    });
    // due soon with a fifth (4.8 h) left: Wed 10:12
    expect(patches[0].dueSoonAt).toEqual(cst('2026-12-02T10:12:00'));
    expect(events[0].data).toMatchObject({
      allowedHours: 24,
      dueAt: cst('2026-12-02T16:00:00').toISOString(),
    });
    expect(onChange).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'GD-1', action: 'sign', state: 'signed' }),
    );
  });

  it('an approved extension moves the deadline by the requested working hours', async () => {
    const signedAt = cst('2026-11-27T09:00:00');
    const { service, patches } = setup({
      state: 'in_progress',
      signedAt,
      allowedHours: 24,
      pendingExtensionHours: 8,
    });
    await service.act(
      'GD-1',
      { action: 'decide_extension', approve: true },
      officer,
      cst('2026-11-30T09:00:00'),
    );
    expect(patches[0]).toMatchObject({
      allowedHours: 32,
      pendingExtensionHours: null,
      ...resolutionClock(cal, signedAt, 32),
    });
  });

  it('dispatching sets a signing deadline and leaves the triage queue', async () => {
    const { service, patches } = setup({ state: 'received', departmentId: null, priority: 1 });
    await service.act('GD-1', { action: 'dispatch', departmentId: 8 }, officer, cst('2026-11-27T17:30:00'));
    // urgent: 1 working hour → 30 min on Friday, 30 min on Monday
    expect(patches[0]).toMatchObject({
      state: 'dispatched',
      departmentId: 8,
      triage: false,
      signDueAt: cst('2026-11-30T09:30:00'),
    });
  });

  it('refuses a stale version and a lost race with 409, writing no event', async () => {
    const stale = setup({});
    expect(await stale.service.act('GD-1', { action: 'sign' }, staff, new Date(), 2)).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(stale.cases.applyChange).not.toHaveBeenCalled();
    const race = setup({}, false);
    expect(await race.service.act('GD-1', { action: 'sign' }, staff, new Date(), 3)).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(race.events).toHaveLength(0);
    expect(race.onChange).not.toHaveBeenCalled();
  });

  it('maps refusals to HTTP statuses', async () => {
    const { service } = setup({});
    expect(await service.act('GD-1', { action: 'sign' }, officer, new Date())).toMatchObject({ status: 403 });
    expect(await service.act('GD-1', { action: 'resolve', note: '' }, staff, new Date())).toMatchObject({
      status: 409,
    });
    expect(await service.act('GD-1', { action: 'urge', note: '' }, officer, new Date())).toMatchObject({
      status: 400,
    });
  });
});
