// The Open311 service with its repositories and intake faked: keys decide the view, nothing reaches intake
// unless the key and every field pass, and intake's answer becomes the Open311 answer.
import { describe, expect, it, vi } from 'vitest';
import type { IntakeResult } from '../../src/lib/api/cases';
import type { Open311CaseRow, Open311Key } from '../db/repositories/open311.repository';
import { IntakeError } from '../services/intake.service';
import { Open311Error } from './errors';
import { open311Service, type Open311Deps } from './open311.service';
import { hashApiKey } from './params';

const NOW = new Date('2026-03-02T08:00:00Z');
const DEMO = 'demo-key-0123456789';

const caseRow = (over: Partial<Open311CaseRow> = {}): Open311CaseRow => ({
  code: 'GD-20260302-1',
  state: 'dispatched',
  category: 'city.sanitation',
  description: '垃圾没人清运',
  address: '阳曲路520弄',
  streetName: '临汾路街道',
  streetNameEn: 'Linfen Road Subdistrict',
  departmentName: '临汾路街道办事处',
  departmentNameEn: 'Linfen Road Subdistrict Office',
  createdAt: NOW,
  updatedAt: NOW,
  resolvedAt: null,
  closedAt: null,
  dueAt: null,
  signDueAt: null,
  lon: 121.45,
  lat: 31.27,
  lastNote: null,
  ...over,
});

const intakeResult = (over: Partial<IntakeResult> = {}): IntakeResult => ({
  ticketId: 1,
  caseId: 1,
  caseCode: 'GD-20260302-1',
  duplicate: false,
  category: 'city.sanitation',
  confidence: null,
  suggestions: [],
  placement: 'point',
  streetName: '临汾路街道',
  triage: false,
  departmentId: 9,
  token: 'tok-1',
  ...over,
});

function setup(
  opts: { keys?: Record<string, Open311Key>; rows?: Open311CaseRow[]; result?: IntakeResult } = {},
) {
  const keys = new Map(Object.entries(opts.keys ?? {}));
  const deps: Open311Deps = {
    repo: {
      keyByHash: vi.fn(async (hash: string) => keys.get(hash) ?? null),
      ensureKey: vi.fn(async (name: string, hash: string) => {
        if (!keys.has(hash)) keys.set(hash, { id: keys.size + 1, name, disabled: false });
      }),
      requests: vi.fn(async () => opts.rows ?? []),
    },
    tickets: { ticketByToken: vi.fn(async () => null) },
    intake: { submit: vi.fn(async () => opts.result ?? intakeResult()) },
    demoKey: DEMO,
  };
  return { service: open311Service(deps), deps };
}

async function refusal(p: Promise<unknown>): Promise<Open311Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Open311Error) return err;
    throw err;
  }
  throw new Error('expected an Open311Error');
}

const report = { service_code: 'city.sanitation', lat: '31.27', long: '121.45', description: '垃圾没人清运' };

describe('api keys', () => {
  it('gives the public view without a key and the keyed view with a stored, enabled key', async () => {
    const { service } = setup({
      keys: { [hashApiKey('good-key')]: { id: 1, name: 'app', disabled: false } },
    });
    expect(await service.viewFor(null)).toBe('public');
    expect(await service.viewFor('')).toBe('public');
    expect(await service.viewFor('good-key')).toBe('keyed');
  });

  it('refuses unknown and disabled keys with 403', async () => {
    const { service } = setup({ keys: { [hashApiKey('old-key')]: { id: 1, name: 'app', disabled: true } } });
    expect(await refusal(service.viewFor('nope'))).toMatchObject({
      status: 403,
      description: 'api_key is not valid',
    });
    expect((await refusal(service.viewFor('old-key'))).description).toMatch(/disabled/);
  });

  it('stores the demo key on first use, and honours it being disabled afterwards', async () => {
    const { service, deps } = setup();
    expect(await service.viewFor(DEMO)).toBe('keyed');
    expect(deps.repo.ensureKey).toHaveBeenCalledWith('demo (OPEN311_DEMO_KEY)', hashApiKey(DEMO));
    const disabled = setup({ keys: { [hashApiKey(DEMO)]: { id: 1, name: 'demo', disabled: true } } });
    expect((await refusal(disabled.service.viewFor(DEMO))).status).toBe(403);
    expect(disabled.deps.repo.ensureKey).not.toHaveBeenCalled();
  });
});

describe('create', () => {
  it('needs an api_key (403) before it looks at the fields, and calls intake only when all pass', async () => {
    const { service, deps } = setup();
    expect(await refusal(service.create({ ...report }, NOW, 'zh-CN'))).toMatchObject({ status: 403 });
    expect(await refusal(service.create({ ...report, api_key: 'bad' }, NOW, 'zh-CN'))).toMatchObject({
      status: 403,
    });
    const bad = await refusal(service.create({ ...report, api_key: DEMO, lat: '95' }, NOW, 'zh-CN'));
    expect(bad).toMatchObject({ status: 400 });
    expect(deps.intake.submit).not.toHaveBeenCalled();
  });

  it('submits an Open311 ticket as the system and answers with the case code, token and notice', async () => {
    const { service, deps } = setup({ rows: [caseRow()] });
    const r = await service.create(
      {
        ...report,
        api_key: DEMO,
        first_name: '先生',
        last_name: '张',
        phone: '13800001234',
        media_url: 'https://x.cn/1.jpg',
      },
      NOW,
      'zh-CN',
    );
    expect(r).toEqual([
      {
        service_request_id: 'GD-20260302-1',
        token: 'tok-1',
        service_notice: '已受理，并派发至临汾路街道办事处办理。',
        account_id: null,
      },
    ]);
    expect(deps.intake.submit).toHaveBeenCalledWith(
      {
        channel: 'open311',
        category: 'city.sanitation',
        text: '垃圾没人清运\nmedia_url: https://x.cn/1.jpg',
        subject: null,
        address: null,
        lat: 31.27,
        lon: 121.45,
        callerName: '张先生',
        callerPhone: '13800001234',
        callerEmail: null,
      },
      { userId: null, role: 'system', departmentId: null },
      NOW,
      'open311',
    );
  });

  it('says so when a repeat report joined an open case, and when a duty officer must assign it', async () => {
    const dup = setup({
      result: intakeResult({ duplicate: true, caseCode: 'GD-20260301-9', departmentId: null }),
    });
    const [d] = await dup.service.create({ ...report, api_key: DEMO }, NOW, 'en');
    expect(d.service_request_id).toBe('GD-20260301-9');
    expect(d.service_notice).toMatch(/already reported as GD-20260301-9/);
    expect(dup.deps.repo.requests).not.toHaveBeenCalled();
    const triage = setup({ result: intakeResult({ triage: true, departmentId: null }) });
    expect((await triage.service.create({ ...report, api_key: DEMO }, NOW, 'zh-CN'))[0].service_notice).toBe(
      '已受理，值班员将尽快分派承办单位。',
    );
  });

  it("turns intake's refusals into 400", async () => {
    const { service, deps } = setup();
    vi.mocked(deps.intake.submit).mockRejectedValueOnce(new IntakeError('text must not be empty'));
    expect(await refusal(service.create({ ...report, api_key: DEMO }, NOW, 'zh-CN'))).toMatchObject({
      status: 400,
      description: 'text must not be empty',
    });
  });
});

describe('reads', () => {
  it('lists with the parsed filters and reads notes only for the keyed view', async () => {
    const { service, deps } = setup({ rows: [caseRow()] });
    const query = new URLSearchParams('status=closed&service_code=city.sanitation');
    const [r] = await service.list(query, 'public', NOW, 'zh-CN');
    expect(r).not.toHaveProperty('description');
    expect(deps.repo.requests).toHaveBeenCalledWith({
      codes: undefined,
      categories: ['city.sanitation'],
      states: ['resolved', 'called_back', 'rated', 'closed'],
      from: new Date(NOW.getTime() - 90 * 86_400_000),
      to: NOW,
      limit: 1000,
      withNotes: false,
    });
    await service.list(new URLSearchParams(), 'keyed', NOW, 'zh-CN');
    expect(vi.mocked(deps.repo.requests).mock.calls[1][0].withNotes).toBe(true);
  });

  it('answers one request as a list of one, 404 when unknown, 400 for a malformed id', async () => {
    const found = setup({ rows: [caseRow()] });
    expect(await found.service.one('GD-20260302-1', 'public', 'zh-CN')).toHaveLength(1);
    const missing = setup({ rows: [] });
    expect(await refusal(missing.service.one('GD-20260302-2', 'public', 'zh-CN'))).toMatchObject({
      status: 404,
    });
    expect(await refusal(missing.service.one('<script>', 'public', 'zh-CN'))).toMatchObject({ status: 400 });
  });

  it('resolves tokens and 404s unknown ones', async () => {
    const { service, deps } = setup();
    expect(await refusal(service.token('0b6d2c1e-3f4a-4b5c-8d9e-0f1a2b3c4d5e'))).toMatchObject({
      status: 404,
    });
    vi.mocked(deps.tickets.ticketByToken).mockResolvedValueOnce({ id: 3, caseCode: 'GD-20260302-1' });
    expect(await service.token('tok-1')).toEqual([{ service_request_id: 'GD-20260302-1', token: 'tok-1' }]);
  });

  it('404s a service code that is not offered', () => {
    const { service } = setup();
    expect(() => service.serviceDefinition('city.nope')).toThrow(Open311Error);
  });
});
