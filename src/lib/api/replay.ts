// The replay API's answers (issue 19), shared by the server and the map page:
// GET /api/replay/window, /api/replay/state?at=…, /api/replay/next?at=….
import type { CaseState, DeadlineStatus } from './cases';
import type { AlarmFeedItem, OpenAlarmCounts } from '../streams/contract';

/** The instants that can be replayed (ISO 8601); null before the first checkpoint. */
export type ReplayWindow = { from: string; to: string } | null;

/** Sensors per state (0 normal, 1 warning, 2 alarm, 3 offline), overall and per family. */
export interface ReplaySensorCounts {
  byState: number[];
  byFamily: Record<string, number[]>;
}

/** The picture at one instant. */
export interface ReplayState {
  at: string;
  /** The checkpoint it was rebuilt from. */
  checkpointAt: string;
  sensors: {
    /** Sensors not normal, ascending ids, and their states; every other sensor was normal. */
    ids: number[];
    states: number[];
    counts: ReplaySensorCounts;
  };
  /** Alarms open then, in the live feed's shape (critical first, newest first; at most 200), and their counts. */
  alarms: AlarmFeedItem[];
  alarmCounts: OpenAlarmCounts;
  /** Cases open then, and how many of them were overdue or due soon. */
  caseCounts: { open: number; overdue: number; dueSoon: number };
  /** Those cases, overdue first, then due soon, then the rest (at most 200). */
  cases: {
    code: string;
    category: string;
    streetName: string | null;
    streetNameEn: string | null;
    /** One of the open states (received, dispatched, returned, signed, in progress). */
    state: CaseState;
    departmentId: number | null;
    deadline: DeadlineStatus | null;
  }[];
}

/** A moment worth going back to: an instant, or an interval when `to` is set, with a note. */
export interface ReplayBookmark {
  id: number;
  from: string;
  to: string | null;
  note: string;
  /** Who set it (display name), null when that user is gone. */
  author: string | null;
  /** Whether the asking user may delete it (its author, or an admin). */
  mine: boolean;
}

export interface ReplayBookmarkList {
  bookmarks: ReplayBookmark[];
}
