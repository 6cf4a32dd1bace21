// Intake's classification plumbing with the repositories faked: which category wins, when a case goes to
// triage, when the classifier is taught, and how an address is placed.
import { describe, expect, it, vi } from 'vitest';
import type { DuplicateCandidate } from '../db/repositories/cases.repository';
import { intakeService, titleOf, type ComplaintClassifier, type IntakeDeps } from './intake.service';

const NOW = new Date('2026-11-27T02:00:00Z');
const system = { userId: null, role: 'system' as const, departmentId: null };

function setup(guess: { category: string; confidence: number }, candidates: DuplicateCandidate[] = []) {
  const classifier: ComplaintClassifier = {
    classify: vi.fn(() => ({ ...guess, top: [{ category: guess.category, score: guess.confidence }] })),
    learn: vi.fn(),
  };
  const opened: { triage: boolean; category: string; dispatchTo: unknown }[] = [];
  const cases = {
    transaction: async <T>(fn: (tx: never) => Promise<T>) => fn({} as never),
    locate: vi.fn(async () => ({ streetId: 11, districtId: 2, gridCellId: 99 })),
    streetsForPlacement: vi.fn(async () => [
      { id: 11, code: 'ja-linfen', name: '临汾路街道', lon: 121.45, lat: 31.31 },
      { id: 12, code: 'ja-daning', name: '大宁路街道', lon: 121.44, lat: 31.28 },
    ]),
    departmentFor: vi.fn(async (_street: number | null, key: string) => (key === 'water' ? 501 : 502)),
    duplicateCandidates: vi.fn(async () => candidates),
    insertTicket: vi.fn(async () => 7),
    linkTicket: vi.fn(async () => {}),
    insertCorrection: vi.fn(async () => {}),
  };
  const caseService = {
    open: vi.fn(async (c: { triage: boolean; category: string }, dispatchTo: unknown) => {
      opened.push({ triage: c.triage, category: c.category, dispatchTo });
      return {
        id: 40,
        code: 'GD-20261127-40',
        state: dispatchTo ? ('dispatched' as const) : ('received' as const),
      };
    }),
  };
  const deps: IntakeDeps = {
    cases: cases as unknown as IntakeDeps['cases'],
    caseService: caseService as unknown as IntakeDeps['caseService'],
    classifier,
    roadsByStreetCode: new Map([
      ['ja-linfen', ['阳曲路', '临汾路']],
      ['ja-daning', ['大宁路', '临汾路']],
    ]),
    matchDuplicate: (_r, c) => c[0] ?? null,
    triageBelow: 0.45,
    duplicateWindowDays: 7,
    duplicateRadiusM: 150,
  };
  return { service: intakeService(deps), classifier, cases, caseService, opened };
}

describe('intake', () => {
  it('dispatches a confident classification to the category’s department', async () => {
    const { service, opened, classifier } = setup({ category: 'utilities.drainage', confidence: 0.8 });
    const r = await service.submit(
      { channel: 'phone', text: '路口积水', lon: 121.45, lat: 31.3 },
      system,
      NOW,
    );
    expect(r).toMatchObject({
      category: 'utilities.drainage',
      triage: false,
      departmentId: 501,
      placement: 'point',
      confidence: 0.8,
    });
    expect(opened[0]).toMatchObject({ triage: false, dispatchTo: { departmentId: 501, gridCellId: 99 } });
    expect(classifier.learn).not.toHaveBeenCalled();
  });

  it('sends an unsure classification to the triage queue, undispatched', async () => {
    const { service, opened } = setup({ category: 'utilities.drainage', confidence: 0.3 });
    const r = await service.submit(
      { channel: 'phone', text: '这个事情你们管不管', lon: 121.45, lat: 31.3 },
      system,
      NOW,
    );
    expect(r).toMatchObject({ triage: true, departmentId: null });
    expect(opened[0]).toMatchObject({ triage: true, dispatchTo: null });
  });

  it('takes the operator’s category over the model’s, records the disagreement and teaches the model', async () => {
    const { service, cases, classifier } = setup({ category: 'utilities.drainage', confidence: 0.9 });
    const r = await service.submit(
      { channel: 'phone', text: '小区水管爆了', lon: 121.45, lat: 31.3, category: 'utilities.water_supply' },
      { userId: 3, role: 'officer', departmentId: null },
      NOW,
    );
    expect(r).toMatchObject({ category: 'utilities.water_supply', confidence: null, triage: false });
    expect(cases.insertCorrection).toHaveBeenCalledWith(
      {
        ticketId: 7,
        text: '小区水管爆了',
        predicted: 'utilities.drainage',
        corrected: 'utilities.water_supply',
        userId: 3,
      },
      NOW,
      expect.anything(),
    );
    expect(classifier.learn).toHaveBeenCalledWith('小区水管爆了', 'utilities.water_supply', undefined);
  });

  it('refuses an unknown category and an empty text', async () => {
    const { service, cases } = setup({ category: 'utilities.drainage', confidence: 0.9 });
    await expect(
      service.submit({ channel: 'phone', text: 'x', category: 'no.such' }, system, NOW),
    ).rejects.toThrow('unknown category "no.such"');
    await expect(service.submit({ channel: 'phone', text: '  ' }, system, NOW)).rejects.toThrow(
      'text must not be empty',
    );
    expect(cases.insertTicket).not.toHaveBeenCalled();
  });

  it('places an address by a road only one street has; a shared road stays unplaced and goes to triage', async () => {
    const { service, opened, cases } = setup({ category: 'utilities.drainage', confidence: 0.9 });
    const placed = await service.submit(
      { channel: 'phone', text: '积水', address: '阳曲路 10 号' },
      system,
      NOW,
    );
    expect(placed).toMatchObject({ placement: 'address', triage: false, streetName: '临汾路街道' });
    expect(cases.locate).toHaveBeenCalledWith(121.45, 31.31);
    const unplaced = await service.submit(
      { channel: 'phone', text: '积水', address: '临汾路 10 号' },
      system,
      NOW,
    );
    expect(unplaced).toMatchObject({ placement: 'unplaced', triage: true, departmentId: null });
    expect(opened[1]).toMatchObject({ triage: true, dispatchTo: null });
  });

  it('links a repeat report to the open case instead of opening another', async () => {
    const candidate = {
      id: 9,
      code: 'GD-20261126-9',
      category: 'utilities.drainage',
      text: '积水',
      lon: 121.45,
      lat: 31.3,
      createdAt: NOW,
    };
    const { service, cases, caseService } = setup({ category: 'utilities.drainage', confidence: 0.9 }, [
      candidate,
    ]);
    const r = await service.submit({ channel: 'app', text: '积水', lon: 121.45, lat: 31.3 }, system, NOW);
    expect(r).toMatchObject({ duplicate: true, caseCode: 'GD-20261126-9', caseId: 9, triage: false });
    expect(cases.linkTicket).toHaveBeenCalledWith(7, 9, true, expect.anything());
    expect(caseService.open).not.toHaveBeenCalled();
  });

  it('titles a case with the first clause of the complaint', () => {
    expect(titleOf('路灯不亮。已经三天了')).toBe('路灯不亮');
    expect(titleOf('一'.repeat(40))).toBe(`${'一'.repeat(29)}…`);
  });
});
