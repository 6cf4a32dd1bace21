// A case rebuilt from its events alone: the append-only record is the truth, the cases row a cache of it.
// Pure; the service writes into each event everything needed here (department, deadlines, rating, …).
import type { CaseState, Rating } from './case-workflow';

/** One stored event as replay reads it. */
export interface RecordedEvent {
  at: string;
  action: string;
  fromState: CaseState | null;
  toState: CaseState | null;
  data: Record<string, unknown> | null;
}

/** What the events say the case is now. */
export interface ReplayedCase {
  state: CaseState | null;
  category: string | null;
  priority: number | null;
  departmentId: number | null;
  signDueAt: string | null;
  signedAt: string | null;
  allowedHours: number | null;
  dueAt: string | null;
  pendingExtensionHours: number | null;
  resolvedAt: string | null;
  rating: Rating | null;
  closedAt: string | null;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' ? v : null);

/** Folds the events, oldest first, into the case they describe; throws when one does not follow on. */
export function replayCase(events: readonly RecordedEvent[]): ReplayedCase {
  const c: ReplayedCase = {
    state: null,
    category: null,
    priority: null,
    departmentId: null,
    signDueAt: null,
    signedAt: null,
    allowedHours: null,
    dueAt: null,
    pendingExtensionHours: null,
    resolvedAt: null,
    rating: null,
    closedAt: null,
  };
  for (const e of events) {
    if (e.fromState !== c.state)
      throw new Error(
        `event "${e.action}" at ${e.at} starts from ${e.fromState}, but the case was ${c.state}`,
      );
    const d = e.data ?? {};
    switch (e.action) {
      case 'receive':
        c.category = str(d.category);
        c.priority = num(d.priority);
        break;
      case 'dispatch':
      case 'reassign':
      case 'reopen':
        c.departmentId = num(d.departmentId) ?? c.departmentId;
        c.signDueAt = str(d.signDueAt);
        c.signedAt = c.allowedHours = c.dueAt = c.resolvedAt = c.closedAt = null;
        c.pendingExtensionHours = null;
        if (e.action === 'reopen') c.rating = null;
        break;
      case 'sign':
        c.signedAt = e.at;
        c.allowedHours = num(d.allowedHours);
        c.dueAt = str(d.dueAt);
        break;
      case 'request_extension':
        c.pendingExtensionHours = num(d.hours);
        break;
      case 'decide_extension':
        c.pendingExtensionHours = null;
        if (d.approved === true) {
          c.allowedHours = num(d.allowedHours) ?? c.allowedHours;
          c.dueAt = str(d.dueAt) ?? c.dueAt;
        }
        break;
      case 'return':
      case 'resolve':
        c.pendingExtensionHours = null;
        if (e.action === 'resolve') c.resolvedAt = e.at;
        break;
      case 'rate':
        c.rating = (str(d.rating) as Rating | null) ?? null;
        break;
      case 'close':
      case 'dismiss':
        c.closedAt = e.at;
        break;
      case 'reclassify':
        c.category = str(d.category) ?? c.category;
        c.priority = num(d.priority) ?? c.priority;
        break;
    }
    c.state = e.toState ?? c.state;
  }
  return c;
}
