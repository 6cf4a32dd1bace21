// The JSON of the common-problems endpoints (GET /api/problems, GET /api/problems/:id): written once, used
// by the server and the browser.

/** How the panel orders problems. */
export const PROBLEM_SORTS = ['size', 'growth', 'unresolved'] as const;
export type ProblemSort = (typeof PROBLEM_SORTS)[number];

/** A sensor alarm that backs a problem up: a related family, near its reports, around their time. */
export interface ProblemEvidenceAlarm {
  /** Alarm id. */
  alarmId: number;
  /** Sensor id. */
  sensorId: number;
  /** The sensor's own code, e.g. "MH-JA-000123". */
  sensorCode: string;
  /** Sensor family, e.g. "manhole". */
  family: string;
  /** Rule that fired, e.g. "manhole.tilt". */
  ruleId: string;
  /** When the alarm opened (ISO). */
  openedAt: string;
  /** Distance to the nearest report of the problem, in metres (rounded). */
  distanceM: number;
}

/** Sensor evidence of a problem. */
export interface ProblemEvidence {
  /** How many alarms qualified. */
  alarmCount: number;
  /** How many distinct sensors raised them. */
  sensorCount: number;
  /** The qualifying alarms, nearest first, at most 20. */
  alarms: ProblemEvidenceAlarm[];
}

/** A department responsible for the problem's cases. */
export interface ProblemDepartment {
  /** Department id. */
  id: number;
  /** Chinese name. */
  name: string | null;
  /** How many of the problem's cases it holds. */
  cases: number;
}

/** One common problem: tickets of one category, alike in wording, close in place and time. */
export interface ProblemView {
  /** Stable id: the smallest ticket id of the group (within the chosen window). */
  id: number;
  /** Category code of all its tickets. */
  category: string;
  /** Short label from its tickets, e.g. "阳曲路 · 下水道堵塞". */
  label: string;
  /** Number of tickets. */
  size: number;
  /** First report (ISO). */
  firstAt: string;
  /** Last report (ISO). */
  lastAt: string;
  /** Street names, most reports first. */
  streets: string[];
  /** Codes of the linked cases (several tickets may share one). */
  caseCodes: string[];
  /** Responsible departments, most cases first. */
  departments: ProblemDepartment[];
  /** Share of linked cases still open (received … in_progress), 0–1; null when no ticket has a case. */
  unresolvedShare: number | null;
  /** Tickets in the last 7 days minus tickets in the 7 days before: +3 means three more than the week before. */
  growth: number;
  /** Tickets in the last 7 days. */
  lastWeek: number;
  /** Tickets in the 7 days before that. */
  weekBefore: number;
  /** Ticket ids, oldest first. */
  ticketIds: number[];
  /** Mean position of its tickets, WGS84. */
  lon: number;
  lat: number;
  /** Alarms of related sensor families nearby; null for categories without a related family. */
  evidence: ProblemEvidence | null;
}

/** GET /api/problems?days=&category=&street=&sort=&limit= */
export interface ProblemListResponse {
  problems: ProblemView[];
  /** All problems found before the limit. */
  total: number;
  /** Start of the window (ISO). */
  since: string;
  /** True when the window held more tickets than are grouped at once (the newest were kept). */
  truncated: boolean;
}

/** One ticket of a problem, for drill-down: no address, no caller. */
export interface ProblemTicketView {
  id: number;
  receivedAt: string;
  /** The complaint, cut to 120 characters. */
  text: string;
  streetName: string | null;
  caseCode: string | null;
  caseState: string | null;
}

/** GET /api/problems/:id?days= */
export interface ProblemDetailResponse {
  problem: ProblemView;
  /** Oldest first. */
  tickets: ProblemTicketView[];
}
