import { describe, expect, it } from 'vitest';
import { memoryStore, type SharedStore } from '../cluster/shared-store';
import { lastMonths, monthStart, parseShared, publicService, type PublicServiceDeps } from './public.service';

const NOW = new Date('2026-03-31T17:00:00Z'); // 2026-04-01 01:00 in Shanghai

/** A repository whose every method is counted; an unexpected one fails the test. */
function fakes(over: Partial<PublicServiceDeps['repo']> = {}, store: SharedStore = memoryStore()) {
  const calls: string[] = [];
  const repo: PublicServiceDeps['repo'] = {
    async streetGroupMonths() {
      calls.push('streetGroupMonths');
      return [
        {
          month: '2026-03',
          streetCode: 'xh-a',
          streetName: 'A',
          streetNameEn: 'A',
          districtName: 'D',
          districtNameEn: 'D',
          group: 'city',
          tickets: 3,
          cases: 7,
        },
        {
          month: '2026-04',
          streetCode: 'xh-a',
          streetName: 'A',
          streetNameEn: 'A',
          districtName: 'D',
          districtNameEn: 'D',
          group: 'city',
          tickets: 4,
          cases: 0,
        },
      ];
    },
    async departmentVolumes() {
      calls.push('departmentVolumes');
      return [
        {
          departmentCode: 'x',
          name: 'X',
          nameEn: 'X',
          kind: 'functional',
          cases: 10,
          resolved: 8,
          resolvedWithDeadline: 8,
          onTime: 6,
          rated: 4,
          satisfied: 4,
        },
      ];
    },
    async trend() {
      calls.push('trend');
      return [{ month: '2026-04', tickets: 2, cases: 9, resolved: 0 }];
    },
    async cellCounts() {
      calls.push('cellCounts');
      return [{ ix: 1, iy: 2, tickets: 7 }];
    },
    async ticketCount() {
      calls.push('ticketCount');
      return 1;
    },
    ...over,
  };
  const svc = publicService({
    repo,
    boundaries: {
      streetsGeoJson: async () => '{"type":"FeatureCollection","features":[]}',
      districtsGeoJson: async () => '{"type":"FeatureCollection","features":[]}',
    },
    settings: { cellM: 1000, minCount: 5, ratePerMin: 10, cacheS: 300 },
    store,
    now: () => NOW,
  });
  return { svc, calls };
}

describe('months', () => {
  it('counts Shanghai calendar months', () => {
    expect(monthStart(NOW, 0).toISOString()).toBe('2026-03-31T16:00:00.000Z');
    expect(monthStart(NOW, 11).toISOString()).toBe('2025-04-30T16:00:00.000Z');
    expect(lastMonths(NOW)).toHaveLength(12);
    expect(lastMonths(NOW)[0]).toBe('2025-05');
    expect(lastMonths(NOW)[11]).toBe('2026-04');
  });
});

describe('publicService', () => {
  it('suppresses before publishing and sums totals from the raw counts', async () => {
    const { svc } = fakes();
    const s = (await svc.streets()).data;
    expect(s.months[0]).toMatchObject({
      tickets: null,
      ticketsSuppressed: true,
      cases: 7,
      groupName: '城市管理',
    });
    expect(s.totals).toEqual([
      expect.objectContaining({ month: null, tickets: 7, ticketsSuppressed: false }),
    ]);
    const d = (await svc.departments()).data.departments[0];
    expect(d).toMatchObject({ onTimeRate: 0.75, rated: null, ratedSuppressed: true, satisfactionRate: null });
    const sum = (await svc.summary()).data;
    expect(sum.tickets30d).toEqual({ count: null, suppressed: true });
    expect(sum.cases).toEqual({ count: 9, suppressed: false });
  });

  it('fills the trend with every month of the window', async () => {
    const { svc } = fakes();
    const t = (await svc.trend()).data.months;
    expect(t.map((m) => m.month)).toEqual(lastMonths(NOW));
    expect(t[0]).toMatchObject({ tickets: 0, ticketsSuppressed: false });
    expect(t[11]).toMatchObject({ tickets: null, ticketsSuppressed: true, cases: 9 });
  });

  it('computes a dataset once per cache period, even for concurrent requests', async () => {
    const { svc, calls } = fakes();
    const [a, b] = await Promise.all([svc.cells(90), svc.cells(90)]);
    await svc.cells(90);
    expect(a).toBe(b);
    expect(calls).toEqual(['cellCounts']);
    await svc.cells(30);
    expect(calls).toEqual(['cellCounts', 'cellCounts']);
    await svc.clear();
    await svc.cells(90);
    expect(calls).toHaveLength(3);
  });

  it('does not keep a failed computation', async () => {
    let fail = true;
    const { svc } = fakes({
      async ticketCount() {
        if (fail) throw new Error('database down');
        return 10;
      },
    });
    await expect(svc.summary()).rejects.toThrow('database down');
    fail = false;
    expect((await svc.summary()).data.tickets30d.count).toBe(10);
  });

  it('offers CSV for every download and GeoJSON for cells only', async () => {
    const { svc } = fakes();
    expect(await svc.download('trend', 'geojson', 90)).toBeNull();
    const csv = await svc.download('streets', 'csv', 90);
    expect(csv?.body.split('\r\n')[1]).toBe('2026-03,D,D,xh-a,A,A,city,城市管理,City management,<5,7');
    const geo = await svc.download('cells', 'geojson', 30);
    expect(JSON.parse(geo!.body).features[0].properties).toEqual({
      cell: '1000m:1:2',
      count: 7,
      suppressed: false,
    });
    expect(geo!.etag).toMatch(/^"[\w-]+"$/);
  });

  it('limits each client separately', async () => {
    const { svc } = fakes();
    for (let i = 0; i < 10; i++) expect((await svc.limit('a', 0)).ok).toBe(true);
    expect((await svc.limit('a', 0)).ok).toBe(false);
    expect((await svc.limit('b', 0)).ok).toBe(true);
  });

  it('serves what another node computed from the shared store, with its ETag and data', async () => {
    const store = memoryStore();
    const a = fakes({}, store);
    const b = fakes({}, store);
    const fromA = await a.svc.summary();
    const fromB = await b.svc.summary();
    expect(b.calls).toEqual([]);
    expect(fromB.json.etag).toBe(fromA.json.etag);
    expect(fromB.data).toEqual(fromA.data);
    const dl = await a.svc.download('trend', 'csv', 90);
    expect((await b.svc.download('trend', 'csv', 90))?.filename).toBe(dl?.filename);
    expect(b.calls).toEqual([]);
  });

  it('answers alone when the shared store fails', async () => {
    const broken: SharedStore = {
      kind: 'redis',
      take: () => Promise.reject(new Error('down')),
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
      close: async () => {},
    };
    const { svc, calls } = fakes({}, broken);
    expect((await svc.trend()).data.months).toHaveLength(12);
    await svc.trend();
    expect(calls).toEqual(['trend']);
    for (let i = 0; i < 10; i++) expect((await svc.limit('a', 0)).ok).toBe(true);
    expect(await svc.limit('a', 0)).toEqual({ ok: false, retryAfterS: 6 });
  });

  it('ignores shared values that are not its own', () => {
    expect(parseShared('not json')).toBeNull();
    expect(parseShared('{"body":"x"}')).toBeNull();
    expect(parseShared('{"body":"x","etag":"\\"e\\"","contentType":"t","expiresAt":1}')).toMatchObject({
      body: 'x',
      filename: undefined,
    });
  });
});
