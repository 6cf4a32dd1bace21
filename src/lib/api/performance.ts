// The JSON of the department-performance endpoints (/api/performance/*) and the scoring scheme format:
// written once, used by the server and the browser. KPI definitions: server/domain/kpis.ts.

/** KPIs that count occurrences in a month; each carries the ids of the cases behind it. */
export const COUNT_KPIS = [
  'received',
  'signedOnTime',
  'signedLate',
  'resolved',
  'resolvedOnTime',
  'resolvedLate',
  'overdue',
  'returned',
  'unjustifiedReturns',
  'extensionsRequested',
  'extensionsApproved',
  'reopened',
  'rated',
  'satisfied',
  'partly',
  'unsatisfied',
] as const;
export type CountKpi = (typeof COUNT_KPIS)[number];

/** KPIs that are durations (mean and 90th percentile over the cases behind them). */
export const TIME_KPIS = ['handlingHours', 'alarmAckMinutes'] as const;
export type TimeKpi = (typeof TIME_KPIS)[number];

/** Shares derived from two counts: (total − failures) / total. */
export const RATE_KPIS = ['signedOnTimeRate', 'resolvedOnTimeRate', 'satisfactionRate'] as const;
export type RateKpi = (typeof RATE_KPIS)[number];

/** One scheme item: how many points a KPI is worth and how they are earned. */
export interface SchemeItem {
  /** A rate KPI (kind "rate") or a count KPI (kind "penalty"). */
  kpi: string;
  /** "rate": the target rate earns full points, linear down to 0 at the floor; "penalty": points per case. */
  kind: 'rate' | 'penalty';
  /** Points the item is worth; all weights sum to the scheme's totalPoints. */
  weight: number;
  /** Rate items: the share (0–1) that earns full points. */
  target?: number;
  /** Rate items: the share (0–1) at or below which nothing is earned. */
  floor?: number;
  /** Penalty items: points lost per case. */
  perCase?: number;
  /** Penalty items: the most points the item can lose (at most its weight). */
  cap?: number;
}

/** A scoring scheme: configuration, stored as a new version whenever it changes. */
export interface Scheme {
  /** Database id of this version; null for a scheme not stored yet. */
  id: number | null;
  /** Name of the scheme; versions count per name. */
  name: string;
  /** Version number within the name, from 1. */
  version: number;
  /** Points the whole scheme is worth (the service center's 20 of 100). */
  totalPoints: number;
  items: SchemeItem[];
}

/** A stored scheme version with its bookkeeping. */
export interface SchemeRecord {
  scheme: Scheme;
  /** When this version was stored. */
  createdAt: string;
  /** The admin who stored it; null for the built-in default. */
  createdBy: number | null;
  /** Whether this is the version rankings use by default. */
  active: boolean;
}

/** What points one scheme item lost, in words and with the cases that cost them. */
export interface ScoreItem {
  kpi: string;
  kind: 'rate' | 'penalty';
  /** Points earned, to 0.01. */
  earned: number;
  /** The item's weight. */
  max: number;
  /** max − earned. */
  lost: number;
  /** Rate items: the measured share (null when there was nothing to measure). */
  rate: number | null;
  /** Number of cases (occurrences) that cost points: late, overdue, unsatisfied, … */
  cases: number;
  /** Ids of those cases (a case may appear twice when it failed twice). */
  caseIds: number[];
  /** "−1.5：9 件超期办结" and "−1.5: 9 cases resolved late". */
  explanation: { zh: string; en: string };
}

/** A unit's score in a month: Σ items' earned = total, Σ lost = totalPoints − total. */
export interface Score {
  schemeId: number | null;
  schemeVersion: number;
  total: number;
  max: number;
  items: ScoreItem[];
}

/** A unit's KPIs without the case lists. */
export interface KpiSummary {
  counts: Record<CountKpi, number>;
  /** Shares 0–1, null when nothing was measured. */
  rates: Record<RateKpi, number | null>;
  times: Record<TimeKpi, { n: number; mean: number | null; p90: number | null }>;
}

/** A unit as the performance pages name it. */
export interface PerformanceUnit {
  departmentId: number;
  code: string;
  name: string;
  nameEn: string;
  /** "street_office", "functional" or "service_center". */
  kind: string;
}

/** A unit's score and KPIs in one period. */
export interface PeriodResult {
  score: number;
  kpis: KpiSummary;
}

/** GET /api/performance?month=YYYY-MM&scheme=<id>. */
export interface PerformanceRanking {
  month: string;
  scheme: Scheme;
  computedAt: string;
  /** Units ranked by score, best first (ties: by code). */
  units: (PerformanceUnit & {
    rank: number;
    score: number;
    max: number;
    kpis: KpiSummary;
    lastMonth: PeriodResult;
    sameMonthLastYear: PeriodResult;
    /** January to this month: KPIs merged over the months, score the mean of the monthly scores. */
    yearToDate: PeriodResult;
  })[];
}

/** A case behind a point lost, with its code for linking. */
export interface CaseRef {
  id: number;
  code: string;
}

/** GET /api/performance/:departmentId?month=YYYY-MM&scheme=<id>. */
export interface UnitPerformance {
  month: string;
  scheme: Scheme;
  computedAt: string;
  unit: PerformanceUnit;
  kpis: KpiSummary;
  score: Omit<Score, 'items'> & { items: (ScoreItem & { caseRefs: CaseRef[] })[] };
  /** The 12 months ending with `month`, oldest first. */
  trend: ({ month: string } & PeriodResult)[];
}

/** GET /api/performance/schemes. */
export interface SchemeListResponse {
  schemes: SchemeRecord[];
}

/** POST /api/performance/schemes: the new version, and the months recomputed under it. */
export interface SchemeCreated {
  scheme: SchemeRecord;
  recomputedMonths: string[];
}
