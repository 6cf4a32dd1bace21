// Department performance use-cases: rankings, one unit's month with its explained score and trend, the
// yearly CSV, and scheme versions. KPIs are always recomputed from the case events (domain/kpis), scored
// under a stored scheme version (domain/scoring), and the month asked for is kept as a snapshot per
// scheme version, so an old version's results stay reproducible after the scheme changes.
import type {
  KpiSummary,
  PerformanceRanking,
  PerformanceUnit,
  PeriodResult,
  Scheme,
  SchemeCreated,
  SchemeRecord,
  Score,
  UnitPerformance,
} from '../../src/lib/api/performance';
import type { PerformanceRepository } from '../db/repositories/performance.repository';
import {
  COUNT_KPIS,
  RATE_KPIS,
  addMonths,
  kpiFold,
  emptyKpis,
  mergeKpis,
  monthBounds,
  monthOf,
  summaryOf,
  type UnitKpis,
} from '../domain/kpis';
import { csvField } from '../domain/csv';
import { DEFAULT_SCHEME, score, validateScheme } from '../domain/scoring';
import type { WorkCalendar } from '../domain/work-calendar';

export interface PerformanceServiceDeps {
  repo: Pick<
    PerformanceRepository,
    | 'eachHolding'
    | 'caseIdBounds'
    | 'units'
    | 'caseCodes'
    | 'schemes'
    | 'scheme'
    | 'insertScheme'
    | 'saveSnapshots'
    | 'snapshots'
  >;
  calendar: WorkCalendar;
  /** Split the holdings query over this many case-id ranges run side by side (1: one query). */
  parallel?: number;
}

/** A refusal the route turns into an HTTP status. */
export type Refusal = { ok: false; status: 400 | 404; message: string };
export type Result<T> = { ok: true; value: T } | Refusal;

/** One unit's month: KPIs with case lists and the score. */
export interface UnitMonth {
  kpis: UnitKpis;
  score: Score;
}

const refuse = (status: 400 | 404, message: string): Refusal => ({ ok: false, status, message });
const mean2 = (xs: number[]) => Math.round((xs.reduce((s, x) => s + x, 0) / xs.length) * 100) / 100;

/** JSON with sorted keys: jsonb does not keep key order, so stored and recomputed results compare this way. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function performanceService(deps: PerformanceServiceDeps) {
  const { repo } = deps;

  /** The scheme version asked for, or the active one (storing the default on first use). */
  async function schemeOf(id: number | undefined): Promise<Result<Scheme>> {
    if (id !== undefined) {
      const r = await repo.scheme(id);
      return r ? { ok: true, value: r.scheme } : refuse(404, `no scoring scheme with id ${id}`);
    }
    const active = (await repo.scheme()) ?? (await repo.schemes())[0];
    if (active) return { ok: true, value: active.scheme };
    try {
      return { ok: true, value: (await repo.insertScheme(DEFAULT_SCHEME, null, true, new Date())).scheme };
    } catch {
      // Another request stored the default at the same moment.
      const again = await repo.scheme();
      if (!again) throw new Error('could not store the default scoring scheme');
      return { ok: true, value: again.scheme };
    }
  }

  /** Units that are scored: departments and street offices (the service center does the scoring). */
  const scoredUnits = async (): Promise<PerformanceUnit[]> =>
    (await repo.units()).filter((u) => u.kind !== 'service_center');

  /**
   * KPIs per month and unit over the holdings of [from, to), folded as they stream in. With `parallel`
   * above 1 the cases are split by id over that many connections, each folded on its own and absorbed in
   * id order, so the case lists come out the same however the streams interleave.
   */
  async function foldHoldings(months: readonly string[], from: Date, to: Date, asOf: Date) {
    const opts = { asOf, calendar: deps.calendar };
    const n = Math.max(1, deps.parallel ?? 1);
    const bounds = n > 1 ? await repo.caseIdBounds() : null;
    const fold = kpiFold(months, opts);
    if (!bounds) {
      await repo.eachHolding(from, to, (h) => fold.add(h));
      return fold.result();
    }
    const step = Math.ceil((bounds.max - bounds.min + 1) / n);
    const parts = Array.from({ length: n }, () => kpiFold(months, opts));
    await Promise.all(
      parts.map((part, i) =>
        repo.eachHolding(from, to, (h) => part.add(h), [bounds.min + i * step, bounds.min + (i + 1) * step]),
      ),
    );
    for (const part of parts) fold.absorb(part);
    return fold.result();
  }

  /** KPIs and scores of every scored unit for each month, from the events, as of `asOf`. */
  async function compute(
    months: readonly string[],
    scheme: Scheme,
    asOf: Date,
    units?: readonly PerformanceUnit[],
  ): Promise<Map<string, Map<number, UnitMonth>>> {
    const sorted = [...months].sort();
    const from = new Date(monthBounds(sorted[0]).from);
    const to = new Date(monthBounds(sorted[sorted.length - 1]).to);
    const [kpis, list] = await Promise.all([foldHoldings(sorted, from, to, asOf), units ?? scoredUnits()]);
    const out = new Map<string, Map<number, UnitMonth>>();
    for (const m of sorted) {
      const byUnit = new Map<number, UnitMonth>();
      for (const u of list) {
        const k = kpis.get(m)!.get(u.departmentId) ?? emptyKpis(u.departmentId);
        byUnit.set(u.departmentId, { kpis: k, score: score(k, scheme) });
      }
      out.set(m, byUnit);
    }
    return out;
  }

  /** A month must be well-formed and not lie after the current one. */
  function checkMonth(month: string, now: Date): Refusal | null {
    try {
      monthBounds(month);
    } catch (err) {
      return refuse(400, (err as Error).message);
    }
    if (month > monthOf(now)) return refuse(400, `month ${month} has not begun yet`);
    if (month < '2000-01') return refuse(400, `month ${month} lies before 2000`);
    return null;
  }

  const period = (um: UnitMonth): PeriodResult => ({ score: um.score.total, kpis: summaryOf(um.kpis) });

  async function store(scheme: Scheme, month: string, byUnit: Map<number, UnitMonth>, now: Date) {
    if (scheme.id === null) return;
    await repo.saveSnapshots(
      scheme.id,
      month,
      [...byUnit].map(([departmentId, um]) => ({ departmentId, kpis: um.kpis, score: um.score })),
      now,
    );
  }

  return {
    schemeOf,
    compute,

    /** Every unit ranked by its score in `month`, with last month, the same month last year and YTD. */
    async ranking(
      month: string,
      schemeId: number | undefined,
      now: Date,
    ): Promise<Result<PerformanceRanking>> {
      const bad = checkMonth(month, now);
      if (bad) return bad;
      const scheme = await schemeOf(schemeId);
      if (!scheme.ok) return scheme;
      const months = Array.from({ length: 13 }, (_, i) => addMonths(month, i - 12));
      const units = await scoredUnits();
      const all = await compute(months, scheme.value, now, units);
      const ytdMonths = months.filter((m) => m.slice(0, 4) === month.slice(0, 4));
      const rows = units.map((u) => {
        const at = (m: string) => all.get(m)!.get(u.departmentId)!;
        const now_ = at(month);
        const ytd = mergeKpis(
          u.departmentId,
          ytdMonths.map((m) => at(m).kpis),
        );
        return {
          ...u,
          rank: 0,
          score: now_.score.total,
          max: now_.score.max,
          kpis: summaryOf(now_.kpis),
          lastMonth: period(at(addMonths(month, -1))),
          sameMonthLastYear: period(at(addMonths(month, -12))),
          yearToDate: { score: mean2(ytdMonths.map((m) => at(m).score.total)), kpis: summaryOf(ytd) },
        };
      });
      // A unit with no case in the month keeps full marks because nothing was measured: it ranks after every
      // unit that was measured, not at the top of the table (and of the wall).
      const measured = (r: (typeof rows)[number]) =>
        r.kpis.counts.received > 0 || Object.values(r.kpis.rates).some((v) => v !== null);
      rows.sort(
        (a, b) =>
          Number(measured(b)) - Number(measured(a)) || b.score - a.score || a.code.localeCompare(b.code),
      );
      rows.forEach(
        (r, i) =>
          (r.rank =
            i > 0 && rows[i - 1].score === r.score && measured(rows[i - 1]) === measured(r)
              ? rows[i - 1].rank
              : i + 1),
      );
      await store(scheme.value, month, all.get(month)!, now);
      return {
        ok: true,
        value: { month, scheme: scheme.value, computedAt: now.toISOString(), units: rows },
      };
    },

    /** One unit's month: KPIs, the score with each point lost linked to its cases, 12-month trend. */
    async unit(
      departmentId: number,
      month: string,
      schemeId: number | undefined,
      now: Date,
    ): Promise<Result<UnitPerformance>> {
      const bad = checkMonth(month, now);
      if (bad) return bad;
      const units = await scoredUnits();
      const unit = units.find((u) => u.departmentId === departmentId);
      if (!unit) return refuse(404, `no scored department or street office with id ${departmentId}`);
      const scheme = await schemeOf(schemeId);
      if (!scheme.ok) return scheme;
      const months = Array.from({ length: 12 }, (_, i) => addMonths(month, i - 11));
      const all = await compute(months, scheme.value, now, units);
      const here = all.get(month)!.get(departmentId)!;
      const codes = await repo.caseCodes(here.score.items.flatMap((i) => i.caseIds));
      await store(scheme.value, month, all.get(month)!, now);
      return {
        ok: true,
        value: {
          month,
          scheme: scheme.value,
          computedAt: now.toISOString(),
          unit,
          kpis: summaryOf(here.kpis),
          score: {
            ...here.score,
            items: here.score.items.map((i) => ({
              ...i,
              caseRefs: [...new Set(i.caseIds)].map((id) => ({ id, code: codes.get(id) ?? String(id) })),
            })),
          },
          trend: months.map((m) => ({ month: m, ...period(all.get(m)!.get(departmentId)!) })),
        },
      };
    },

    /** Every unit's KPIs and score per month of `year` (up to the current month), as CSV for Excel. */
    async exportCsv(year: number, schemeId: number | undefined, now: Date): Promise<Result<string>> {
      const first = `${year}-01`;
      const bad = checkMonth(first, now);
      if (bad) return bad;
      const scheme = await schemeOf(schemeId);
      if (!scheme.ok) return scheme;
      const last = monthOf(now) < `${year}-12` ? monthOf(now) : `${year}-12`;
      const months: string[] = [];
      for (let m = first; m <= last; m = addMonths(m, 1)) months.push(m);
      const units = await scoredUnits();
      const all = await compute(months, scheme.value, now, units);
      const header = [
        'month',
        'department_id',
        'code',
        'name',
        'name_en',
        'kind',
        'scheme_id',
        'scheme_version',
        'score',
        'max',
        ...COUNT_KPIS,
        ...RATE_KPIS,
        'handlingHoursN',
        'handlingHoursMean',
        'handlingHoursP90',
        'alarmAckMinutesN',
        'alarmAckMinutesMean',
        'alarmAckMinutesP90',
      ];
      const lines = [header.map(csvField).join(',')];
      for (const m of months)
        for (const u of units) {
          const um = all.get(m)!.get(u.departmentId)!;
          const k: KpiSummary = summaryOf(um.kpis);
          const { handlingHours: h, alarmAckMinutes: a } = k.times;
          lines.push(
            [
              m,
              u.departmentId,
              u.code,
              u.name,
              u.nameEn,
              u.kind,
              scheme.value.id,
              scheme.value.version,
              um.score.total,
              um.score.max,
              ...COUNT_KPIS.map((c) => k.counts[c]),
              ...RATE_KPIS.map((r) => k.rates[r]),
              h.n,
              h.mean,
              h.p90,
              a.n,
              a.mean,
              a.p90,
            ]
              .map(csvField)
              .join(','),
          );
        }
      return { ok: true, value: `\uFEFF${lines.join('\r\n')}\r\n` };
    },

    /** All scheme versions (the default is stored on first use). */
    async schemes(): Promise<SchemeRecord[]> {
      await schemeOf(undefined);
      return repo.schemes();
    },

    /**
     * Stores a scheme as a new version (validated; the refusal names the item), makes it active, and
     * recomputes the last 12 months and the current one under it.
     */
    async createScheme(input: unknown, userId: number | null, now: Date): Promise<Result<SchemeCreated>> {
      const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
      const candidate = {
        id: null,
        version: 1,
        name: typeof body.name === 'string' ? body.name.trim() : body.name,
        totalPoints: body.totalPoints ?? 20,
        items: body.items,
      };
      const problem = validateScheme(candidate);
      if (problem) return refuse(400, `bad scheme: ${problem}`);
      if (body.activate !== undefined && typeof body.activate !== 'boolean')
        return refuse(400, 'bad scheme: activate must be true or false');
      const s = candidate as unknown as Scheme;
      const record = await repo.insertScheme(s, userId, body.activate !== false, now);
      const current = monthOf(now);
      const months = Array.from({ length: 13 }, (_, i) => addMonths(current, i - 12));
      const all = await compute(months, record.scheme, now);
      for (const m of months) await store(record.scheme, m, all.get(m)!, now);
      return { ok: true, value: { scheme: record, recomputedMonths: months } };
    },

    /**
     * Recomputes a month under a stored scheme version from the events and compares it with the snapshots
     * stored for it: the departments whose stored KPIs or score differ (empty: reproduced exactly).
     */
    async reproduce(
      schemeId: number,
      month: string,
      now: Date,
    ): Promise<Result<{ compared: number; differing: number[] }>> {
      const scheme = await schemeOf(schemeId);
      if (!scheme.ok) return scheme;
      const stored = await repo.snapshots(schemeId, month);
      const fresh = (await compute([month], scheme.value, now)).get(month)!;
      const differing = stored
        .filter((s) => {
          const f = fresh.get(s.departmentId);
          return !f || canonical(f.kpis) !== canonical(s.kpis) || canonical(f.score) !== canonical(s.score);
        })
        .map((s) => s.departmentId);
      return { ok: true, value: { compared: stored.length, differing } };
    },
  };
}

export type PerformanceService = ReturnType<typeof performanceService>;
