// The JSON of the case (工单) and intake endpoints: written once, used by the server and the browser.
import type { SystemText } from './system-text';

export const CASE_STATES = [
  'received',
  'dispatched',
  'returned',
  'signed',
  'in_progress',
  'resolved',
  'called_back',
  'rated',
  'closed',
] as const;
/** received 受理 → dispatched 派单 → signed 签收 → in_progress 处置 → resolved 办结 → called_back 回访 → rated 评价 → closed 结案; returned 退单. */
export type CaseState = (typeof CASE_STATES)[number];

export const RATINGS = ['satisfied', 'partly', 'unsatisfied'] as const;
/** The caller's verdict at the call-back. */
export type Rating = (typeof RATINGS)[number];

/** Every action on a case (server/domain/case-workflow.ts decides which is allowed). */
export type CaseAction =
  | 'dispatch'
  | 'reassign'
  | 'sign'
  | 'start'
  | 'return'
  | 'resolve'
  | 'request_extension'
  | 'decide_extension'
  | 'urge'
  | 'call_back'
  | 'rate'
  | 'close'
  | 'reopen'
  | 'dismiss'
  | 'reclassify'
  | 'place';

/** Where a running deadline stands. */
export type DeadlineStatus = 'on_track' | 'due_soon' | 'overdue';

/** Where a ticket's location came from. */
export type Placement = 'point' | 'address' | 'unplaced';

/** One row of the duty officer's queue. */
export interface CaseSummary {
  id: number;
  code: string;
  /** As stored: Chinese when the system wrote it (render with caseTitle from $lib/i18n/system-text). */
  title: string;
  /** Neutral form of a system-written title and description; null for citizens' words. */
  systemText: SystemText | null;
  category: string | null;
  state: CaseState;
  priority: 1 | 2 | 3;
  source: string;
  /** Waiting in the triage queue (classifier unsure or address not placed). */
  triage: boolean;
  streetName: string | null;
  streetNameEn: string | null;
  departmentId: number | null;
  departmentName: string | null;
  departmentNameEn: string | null;
  /** Citizens who reported it. */
  reports: number;
  createdAt: string;
  updatedAt: string;
  /** Resolution deadline (after signing) or signing deadline (after dispatch); null otherwise. */
  dueAt: string | null;
  /** Where the running deadline stands; null when no clock is running. */
  deadline: DeadlineStatus | null;
  lon: number | null;
  lat: number | null;
}

/** GET /api/cases → one page of the queue, newest change first. */
export interface CaseListResponse {
  cases: CaseSummary[];
  /** Matching cases, counted up to `totalCap` (then "more than"). */
  total: number;
  totalCap: number;
}

/** One entry of a case's history. */
export interface CaseEventView {
  id: number;
  at: string;
  actorName: string | null;
  actorRole: string;
  action: string;
  fromState: CaseState | null;
  toState: CaseState | null;
  note: string | null;
  data: Record<string, unknown> | null;
}

/** A citizen report linked to a case; personal data only for roles that may see it. */
export interface TicketView {
  id: number;
  receivedAt: string;
  channel: string;
  text: string;
  address: string | null;
  placement: Placement;
  callerName: string | null;
  callerPhone: string | null;
  duplicate: boolean;
  category: string | null;
  confidence: number | null;
  suggestions: { category: string; score: number }[] | null;
}

/** The case page. */
export interface CaseDetail extends CaseSummary {
  description: string | null;
  address: string | null;
  /** Internal code of its grid cell (small detail only; people read the street and number). */
  gridCellCode: string | null;
  /** The cell's number inside its street (1, 2, …), stable while the grid is not rebuilt. */
  gridCellNumber: number | null;
  /** The street the grid cell belongs to. */
  gridCellStreetName: string | null;
  gridCellStreetNameEn: string | null;
  dispatchedAt: string | null;
  signDueAt: string | null;
  signedAt: string | null;
  allowedHours: number | null;
  resolvedAt: string | null;
  closedAt: string | null;
  rating: Rating | null;
  pendingExtensionHours: number | null;
  sensorId: number | null;
  sensorCode: string | null;
  version: number;
  events: CaseEventView[];
  tickets: TicketView[];
  /** Sensors within 300 m and their open alarms. */
  nearbySensors: {
    id: number;
    code: string;
    family: string;
    /** 0 normal, 1 warning, 2 alarm, 3 offline (as on the map). */
    state: number;
    distanceM: number;
    openAlarms: number;
  }[];
  /** What the signed-in user may do now. */
  actions: CaseAction[];
}

/** POST /api/tickets (operator form) and the simulator: a citizen's report. */
export interface TicketInput {
  channel: 'phone' | 'web' | 'app' | 'open311' | 'letter';
  callerName?: string | null;
  callerPhone?: string | null;
  callerEmail?: string | null;
  text: string;
  /** The report's title line when the channel has one (board post, Open311 attribute[subject]). */
  subject?: string | null;
  address?: string | null;
  lon?: number | null;
  lat?: number | null;
  /** Chosen by the operator; the classifier decides when absent. */
  category?: string | null;
  priority?: 1 | 2 | 3;
}

/** What intake did with a report. */
export interface IntakeResult {
  ticketId: number;
  caseId: number;
  caseCode: string;
  /** True when linked to an existing case as a repeat report. */
  duplicate: boolean;
  category: string;
  confidence: number | null;
  suggestions: { category: string; score: number }[];
  placement: Placement;
  /** Chinese name of the street it was placed in, null when unplaced or outside every street. */
  streetName: string | null;
  /** True when it went to the triage queue instead of being dispatched. */
  triage: boolean;
  departmentId: number | null;
  token: string;
}
