// The common-problems use case behind both endpoints: read a window of tickets, group them, rank them,
// add sensor evidence and department names. Takes its repository as a named dependency so it can move to
// server/services/ unchanged once wired into the app context.
import { categoryByCode } from '../domain/case-categories';
import { STREETS } from '../domain/city-facts';
import {
  EVIDENCE_MARGIN_DAYS,
  FAMILIES_BY_CATEGORY,
  groupProblems,
  sensorEvidence,
  sortProblems,
  type EvidenceAlarm,
  type Problem,
} from '../domain/problems';
import { monthBounds } from '../domain/kpis';
import type { ProblemsRepository } from '../db/repositories/problems.repository';
import type {
  ProblemDetailResponse,
  ProblemListResponse,
  ProblemSort,
  ProblemView,
} from '../../src/lib/api/problems';

const DAY_MS = 86_400_000;
/** Road names the labels look for first. */
const KNOWN_ROADS = [...new Set(STREETS.flatMap((s) => s.roads))];
const GROUPING = {
  places: KNOWN_ROADS,
  topicOf: (category: string) => categoryByCode(category)?.name,
};
const MAX_EVIDENCE_ALARMS = 20;

/** What the panel asks for. */
export interface ProblemQuery {
  /** Window length in days before now. */
  days: number;
  /** A Shanghai calendar month "YYYY-MM" instead of `days`: its problems as they stood at its end. */
  month?: string;
  /** One category code. */
  category?: string;
  /** A category group code. */
  group?: string;
  /** One street. */
  streetId?: number;
  sort: ProblemSort;
  limit: number;
}

export function problemsService(deps: { problems: ProblemsRepository }) {
  const repo = deps.problems;

  /** Alarms backing each problem up, read in one query over all their reports' area and time. */
  async function evidenceFor(problems: readonly Problem[]) {
    const families = [...new Set(problems.flatMap((p) => FAMILIES_BY_CATEGORY[p.category] ?? []))];
    const watched = problems.filter((p) => FAMILIES_BY_CATEGORY[p.category]);
    let alarms: EvidenceAlarm[] = [];
    if (watched.length > 0) {
      const points = watched.flatMap((p) => p.points);
      const pad = 0.003; // ≈ 300 m, more than the evidence radius
      const margin = EVIDENCE_MARGIN_DAYS * DAY_MS;
      alarms = await repo.alarmsIn(
        {
          minLon: Math.min(...points.map((q) => q[0])) - pad,
          minLat: Math.min(...points.map((q) => q[1])) - pad,
          maxLon: Math.max(...points.map((q) => q[0])) + pad,
          maxLat: Math.max(...points.map((q) => q[1])) + pad,
        },
        new Date(Math.min(...watched.map((p) => p.firstAt.getTime())) - margin),
        new Date(Math.max(...watched.map((p) => p.lastAt.getTime())) + margin),
        families,
      );
    }
    return problems.map((p) => sensorEvidence(p, alarms));
  }

  /** The problems as the panel shows them. */
  async function views(problems: readonly Problem[]): Promise<ProblemView[]> {
    const [evidence, names] = await Promise.all([
      evidenceFor(problems),
      repo.departmentNames([...new Set(problems.flatMap((p) => p.departments.map((d) => d.id)))]),
    ]);
    return problems.map((p, i) => {
      const e = evidence[i];
      return {
        id: p.id,
        category: p.category,
        label: p.label,
        size: p.size,
        firstAt: p.firstAt.toISOString(),
        lastAt: p.lastAt.toISOString(),
        streets: p.streets,
        caseCodes: p.caseCodes,
        departments: p.departments.map((d) => ({ ...d, name: names.get(d.id) ?? null })),
        unresolvedShare: p.unresolvedShare,
        growth: p.growth,
        lastWeek: p.lastWeek,
        weekBefore: p.weekBefore,
        ticketIds: p.ticketIds,
        lon: p.lon,
        lat: p.lat,
        evidence: e && {
          alarmCount: e.alarms.length,
          sensorCount: e.sensorCount,
          alarms: e.alarms.slice(0, MAX_EVIDENCE_ALARMS).map((a) => ({
            alarmId: a.id,
            sensorId: a.sensorId,
            sensorCode: a.code,
            family: a.family,
            ruleId: a.ruleId,
            openedAt: a.openedAt.toISOString(),
            distanceM: Math.round(a.distanceM),
          })),
        },
      };
    });
  }

  return {
    /** Problems of the window, ranked, at most `limit`. */
    async list(q: ProblemQuery, now: Date): Promise<ProblemListResponse> {
      const month = q.month ? monthBounds(q.month) : null;
      const until = month ? new Date(Math.min(month.to - 1, now.getTime())) : now;
      const since = month ? new Date(month.from) : new Date(now.getTime() - q.days * DAY_MS);
      const { tickets, truncated } = await repo.tickets({
        since,
        until,
        category: q.category,
        group: q.group,
        streetId: q.streetId,
      });
      const ranked = sortProblems(groupProblems(tickets, until, GROUPING), q.sort);
      return {
        problems: await views(ranked.slice(0, q.limit)),
        total: ranked.length,
        since: since.toISOString(),
        truncated,
      };
    },

    /**
     * The problem a ticket belongs to (any of its tickets' ids; the problem's id is the smallest) within
     * the window, with its tickets; null when the ticket is unknown, outside the window or alone.
     */
    async detail(ticketId: number, days: number, now: Date): Promise<ProblemDetailResponse | null> {
      const key = await repo.ticketKey(ticketId);
      const since = new Date(now.getTime() - days * DAY_MS);
      if (!key?.category || key.receivedAt < since || key.receivedAt > now) return null;
      // Grouping never crosses categories, so one category's tickets give the same problem.
      const { tickets } = await repo.tickets({ since, until: now, category: key.category });
      const problem = groupProblems(tickets, now, GROUPING).find((p) => p.ticketIds.includes(ticketId));
      if (!problem) return null;
      const [[view], rows] = await Promise.all([views([problem]), repo.ticketRows(problem.ticketIds)]);
      return {
        problem: view,
        tickets: rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })),
      };
    },
  };
}

export type ProblemsService = ReturnType<typeof problemsService>;
