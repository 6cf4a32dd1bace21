// The work-order (工单) state machine: which action is allowed in which state and to whom, and what it
// changes. Pure: `decide` takes the case as stored, the command, the actor and `now`, and returns either the
// change plus the event to append, or a refusal that names why. The service applies the change with a
// version check so two concurrent actions on one case cannot both apply.
import {
  CASE_STATES,
  RATINGS,
  type CaseAction as WireAction,
  type CaseState,
  type Rating,
} from '../../src/lib/api/cases';
import { categoryByCode } from './case-categories';
import type { Actor } from './roles';

export { CASE_STATES, RATINGS };
export type { CaseState, Rating };

/** What the state machine needs to know about a case. */
export interface CaseFacts {
  state: CaseState;
  /** Department or street office it is dispatched to; null before dispatch. */
  departmentId: number | null;
  /** 1 urgent, 2 normal, 3 low. */
  priority: 1 | 2 | 3;
  /** Rating given at the call-back, null before. */
  rating: Rating | null;
  /** An extension request waiting for a decision, in working hours; null when none. */
  pendingExtensionHours: number | null;
}

/** What a user asks to do. Every action that needs words carries them. */
export type CaseCommand =
  | { action: 'dispatch'; departmentId: number; gridCellId?: number | null; note?: string }
  | { action: 'reassign'; departmentId: number; gridCellId?: number | null; note: string }
  | { action: 'sign'; note?: string }
  | { action: 'start'; note?: string }
  | { action: 'return'; note: string }
  | { action: 'resolve'; note: string }
  | { action: 'request_extension'; hours: number; note: string }
  | { action: 'decide_extension'; approve: boolean; note?: string }
  | { action: 'urge'; note: string }
  | { action: 'call_back'; note: string }
  | { action: 'rate'; rating: Rating; note?: string }
  | { action: 'close'; note?: string }
  | { action: 'reopen'; note: string }
  | { action: 'dismiss'; note: string }
  | { action: 'reclassify'; category: string; priority?: 1 | 2 | 3; note?: string }
  | { action: 'place'; lon: number; lat: number; note?: string };

export type CaseAction = CaseCommand['action'];
// The wire contract's list of actions and the commands here must name the same actions.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameActions: Same<CaseAction, WireAction> = true;
void sameActions;

export const CASE_ACTIONS: readonly CaseAction[] = [
  'dispatch',
  'reassign',
  'sign',
  'start',
  'return',
  'resolve',
  'request_extension',
  'decide_extension',
  'urge',
  'call_back',
  'rate',
  'close',
  'reopen',
  'dismiss',
  'reclassify',
  'place',
];

/** The change an allowed action makes; the service writes it and the event in one transaction. */
export interface CaseChange {
  toState: CaseState;
  /** New department when dispatching or reassigning. */
  departmentId?: number;
  gridCellId?: number | null;
  /** Set when signing: the deadline clock starts now. */
  signedAt?: Date;
  rating?: Rating | null;
  /** A point placed by hand on the map (place). */
  place?: { lon: number; lat: number };
  /** New category and priority (reclassify). */
  category?: string;
  priority?: 1 | 2 | 3;
  /** Extension: the request to keep (number), or cleared (null). */
  pendingExtensionHours?: number | null;
  /** Working hours to add to the resolution deadline (an approved extension). */
  extendHours?: number;
  /** Clear dispatch-cycle timestamps (reopen, reassign). */
  restartClock?: boolean;
}

/** The event appended for an allowed action. */
export interface CaseEventDraft {
  action: CaseAction;
  fromState: CaseState;
  toState: CaseState;
  note: string | null;
  /** Structured details (department, rating, hours, …). */
  data: Record<string, unknown>;
}

export type Decision =
  | { ok: true; change: CaseChange; event: CaseEventDraft }
  | { ok: false; code: 'forbidden' | 'illegal_state' | 'invalid'; message: string };

/** States in which a case is still being worked on (not yet resolved). */
export const OPEN_STATES: readonly CaseState[] = [
  'received',
  'dispatched',
  'returned',
  'signed',
  'in_progress',
];

const MAX_EXTENSION_HOURS = 240;

type Who = 'desk' | 'assignee' | 'supervisor';

/** Which states each action starts from and who may take it. */
const RULES: Record<CaseAction, { from: readonly CaseState[]; who: readonly Who[] }> = {
  dispatch: { from: ['received', 'returned'], who: ['desk'] },
  reassign: { from: ['dispatched', 'signed', 'in_progress'], who: ['desk'] },
  sign: { from: ['dispatched'], who: ['assignee'] },
  start: { from: ['signed'], who: ['assignee'] },
  return: { from: ['dispatched', 'signed'], who: ['assignee'] },
  resolve: { from: ['signed', 'in_progress'], who: ['assignee'] },
  request_extension: { from: ['signed', 'in_progress'], who: ['assignee'] },
  decide_extension: { from: ['signed', 'in_progress'], who: ['desk'] },
  urge: { from: ['dispatched', 'signed', 'in_progress'], who: ['desk', 'supervisor'] },
  call_back: { from: ['resolved'], who: ['desk'] },
  rate: { from: ['called_back'], who: ['desk'] },
  close: { from: ['rated'], who: ['desk'] },
  reopen: { from: ['rated', 'closed'], who: ['desk'] },
  dismiss: { from: ['received', 'returned'], who: ['desk'] },
  reclassify: { from: ['received', 'returned', 'dispatched'], who: ['desk'] },
  place: { from: ['received', 'returned', 'dispatched', 'signed', 'in_progress'], who: ['desk'] },
};

/** The roles behind each kind of participant: the service desk, the assigned unit's staff, leaders. */
function plays(actor: Actor, who: Who, c: CaseFacts): boolean {
  switch (who) {
    case 'desk':
      return actor.role === 'officer' || actor.role === 'admin';
    case 'assignee':
      return actor.role === 'staff' && c.departmentId !== null && actor.departmentId === c.departmentId;
    case 'supervisor':
      return actor.role === 'leader';
  }
}

/** Whether `actor` may take `action` on the case in its current state (for showing buttons). */
export function allowedActions(c: CaseFacts, actor: Actor): CaseAction[] {
  return CASE_ACTIONS.filter((a) => {
    const rule = RULES[a];
    if (!rule.from.includes(c.state) || !rule.who.some((w) => plays(actor, w, c))) return false;
    if (a === 'decide_extension') return c.pendingExtensionHours !== null;
    if (a === 'request_extension') return c.pendingExtensionHours === null;
    if (a === 'close') return c.rating !== 'unsatisfied';
    if (a === 'reopen') return c.state === 'closed' || c.rating === 'unsatisfied';
    return true;
  });
}

const refuse = (code: 'forbidden' | 'illegal_state' | 'invalid', message: string): Decision => ({
  ok: false,
  code,
  message,
});

const needsNote = (note: string | undefined, what: string): string | null =>
  note === undefined || note.trim().length === 0 ? `${what} needs a note saying why` : null;

/** Decides one command on one case. Nothing is changed here; a refusal names the reason. */
export function decide(c: CaseFacts, cmd: CaseCommand, actor: Actor, now: Date): Decision {
  const rule = RULES[cmd.action];
  if (!rule) return refuse('invalid', `unknown action "${(cmd as { action: string }).action}"`);
  if (!rule.who.some((w) => plays(actor, w, c))) {
    const whom =
      rule.who.includes('assignee') && actor.role === 'staff'
        ? 'staff of the department the case is dispatched to'
        : rule.who
            .map(
              (w) =>
                ({ desk: 'duty officers', assignee: 'the assigned department', supervisor: 'leaders' })[w],
            )
            .join(' or ');
    return refuse('forbidden', `only ${whom} may ${cmd.action.replace('_', ' ')} a case`);
  }
  if (!rule.from.includes(c.state))
    return refuse(
      'illegal_state',
      `cannot ${cmd.action.replace('_', ' ')} a case that is ${c.state.replace('_', ' ')}`,
    );

  const note = 'note' in cmd && cmd.note !== undefined && cmd.note.trim() !== '' ? cmd.note.trim() : null;
  const ok = (change: CaseChange, data: Record<string, unknown> = {}): Decision => ({
    ok: true,
    change,
    event: { action: cmd.action, fromState: c.state, toState: change.toState, note, data },
  });

  switch (cmd.action) {
    case 'dispatch':
    case 'reassign': {
      if (!Number.isInteger(cmd.departmentId) || cmd.departmentId <= 0)
        return refuse('invalid', 'departmentId must be a positive integer');
      if (cmd.action === 'reassign') {
        const missing = needsNote(cmd.note, 'reassigning');
        if (missing) return refuse('invalid', missing);
        if (cmd.departmentId === c.departmentId)
          return refuse('invalid', 'the case is already dispatched to that department');
      }
      return ok(
        {
          toState: 'dispatched',
          departmentId: cmd.departmentId,
          gridCellId: cmd.gridCellId ?? null,
          pendingExtensionHours: null,
          restartClock: true,
        },
        {
          departmentId: cmd.departmentId,
          previousDepartmentId: c.departmentId,
          gridCellId: cmd.gridCellId ?? null,
        },
      );
    }
    case 'sign':
      return ok({ toState: 'signed', signedAt: now });
    case 'start':
      return ok({ toState: 'in_progress' });
    case 'return': {
      const missing = needsNote(cmd.note, 'returning');
      if (missing) return refuse('invalid', missing);
      return ok({ toState: 'returned', pendingExtensionHours: null }, { departmentId: c.departmentId });
    }
    case 'resolve': {
      const missing = needsNote(cmd.note, 'resolving');
      if (missing) return refuse('invalid', 'resolving needs a resolution note');
      return ok({ toState: 'resolved', pendingExtensionHours: null });
    }
    case 'request_extension': {
      if (c.pendingExtensionHours !== null)
        return refuse('illegal_state', 'an extension request is already waiting for a decision');
      if (!Number.isFinite(cmd.hours) || cmd.hours <= 0 || cmd.hours > MAX_EXTENSION_HOURS)
        return refuse('invalid', `extension hours must be between 1 and ${MAX_EXTENSION_HOURS}`);
      const missing = needsNote(cmd.note, 'an extension request');
      if (missing) return refuse('invalid', missing);
      return ok({ toState: c.state, pendingExtensionHours: cmd.hours }, { hours: cmd.hours });
    }
    case 'decide_extension': {
      if (c.pendingExtensionHours === null) return refuse('illegal_state', 'no extension request is waiting');
      const hours = c.pendingExtensionHours;
      return ok(
        { toState: c.state, pendingExtensionHours: null, extendHours: cmd.approve ? hours : 0 },
        { approved: cmd.approve, hours },
      );
    }
    case 'urge': {
      const missing = needsNote(cmd.note, 'urging');
      if (missing) return refuse('invalid', missing);
      return ok({ toState: c.state });
    }
    case 'call_back': {
      const missing = needsNote(cmd.note, 'a call-back');
      if (missing) return refuse('invalid', 'a call-back needs a note of what the caller said');
      return ok({ toState: 'called_back' });
    }
    case 'rate':
      if (!(RATINGS as readonly string[]).includes(cmd.rating))
        return refuse('invalid', `rating must be one of ${RATINGS.join(', ')}`);
      return ok({ toState: 'rated', rating: cmd.rating }, { rating: cmd.rating });
    case 'close':
      if (c.rating === 'unsatisfied')
        return refuse('illegal_state', 'an unsatisfied rating must be reopened, not closed');
      return ok({ toState: 'closed' });
    case 'reopen': {
      if (c.state === 'rated' && c.rating !== 'unsatisfied')
        return refuse('illegal_state', 'only an unsatisfied rating reopens a case before it is closed');
      const missing = needsNote(cmd.note, 'reopening');
      if (missing) return refuse('invalid', missing);
      if (c.departmentId === null) return refuse('illegal_state', 'the case was never dispatched');
      return ok(
        { toState: 'dispatched', departmentId: c.departmentId, rating: null, restartClock: true },
        { departmentId: c.departmentId, previousRating: c.rating },
      );
    }
    case 'reclassify': {
      if (!categoryByCode(cmd.category)) return refuse('invalid', `unknown category "${cmd.category}"`);
      if (cmd.priority !== undefined && ![1, 2, 3].includes(cmd.priority))
        return refuse('invalid', 'priority must be 1 (urgent), 2 (normal) or 3 (low)');
      return ok(
        { toState: c.state, category: cmd.category, priority: cmd.priority ?? c.priority },
        { category: cmd.category, priority: cmd.priority ?? c.priority },
      );
    }
    case 'place':
      if (!(cmd.lon >= -180 && cmd.lon <= 180) || !(cmd.lat >= -90 && cmd.lat <= 90))
        return refuse('invalid', 'lon must be between -180 and 180 and lat between -90 and 90');
      return ok({ toState: c.state, place: { lon: cmd.lon, lat: cmd.lat } }, { lon: cmd.lon, lat: cmd.lat });
    case 'dismiss': {
      const missing = needsNote(cmd.note, 'dismissing');
      if (missing) return refuse('invalid', missing);
      return ok({ toState: 'closed' }, { dismissed: true });
    }
  }
}
