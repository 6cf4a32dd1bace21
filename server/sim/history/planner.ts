// The case story planner: after each step of a case, what its unit (by its profile, unit-profiles.ts) or
// the service center's duty officer does next, and when. The generator feeds the step to the real
// caseService at that instant, so every case passes the workflow rules like a live one. Pure.
import type { CaseCommand } from '../../domain/case-workflow';
import type { Random } from '../../domain/random';
import { addWorkingHours, type WorkCalendar } from '../../domain/work-calendar';
import type { UnitBehaviour } from '../unit-profiles';
import type { CaseRow } from './recorder';

const MIN_MS = 60_000;

/** What the planner reads of a case (the history's recorded row, or a live case). */
export type PlannedCase = Pick<
  CaseRow,
  | 'state'
  | 'priority'
  | 'gridCellId'
  | 'departmentId'
  | 'signDueAt'
  | 'signedAt'
  | 'allowedHours'
  | 'dueAt'
  | 'pendingExtensionHours'
  | 'rating'
>;

/** What is decided about a case when it is opened, drawn from its unit's habits at that moment. */
export interface CaseStory {
  /** The unit returns it once (before signing). */
  returns: boolean;
  /** The return is unjustified: the service center sends it back to the same unit. */
  unjustified: boolean;
  /** Signs after the signing deadline. */
  lateSign: boolean;
  /** Resolves after the resolution deadline. */
  lateResolve: boolean;
  /** Asks for an extension; whether it is approved. */
  extension: boolean;
  extensionApproved: boolean;
  /** Share of the allowed time used when on time. */
  share: number;
  /** Mean signing delay in working hours. */
  signDelay: number;
  /** The citizen's rating at call-back. */
  rating: 'satisfied' | 'partly' | 'unsatisfied';
  /** A sensor case: no citizen to rate it; the officer confirms the device is back to normal. */
  sensor: boolean;
  /** Times the case was reopened after an unsatisfied rating. */
  reopened: number;
  /** An extension request was made already. */
  extended: boolean;
  /** The case was returned already. */
  returned: boolean;
  /** A reminder (urge) was sent already. */
  urged: boolean;
  /** The unit marks the work as started (in progress) before resolving. */
  start: boolean;
}

/** A step to take: the command, who takes it ("officer" or the unit's "staff"), and when. */
export interface PlannedStep {
  at: Date;
  cmd: CaseCommand;
  by: 'officer' | 'staff';
}

/** Draws a case's story from its unit's habits. */
export function caseStory(rnd: Random, b: UnitBehaviour, sensor: boolean): CaseStory {
  const u = rnd.next();
  const rating = u < b.ratings[0] ? 'satisfied' : u < b.ratings[0] + b.ratings[1] ? 'partly' : 'unsatisfied';
  return {
    returns: !sensor && rnd.chance(b.returnShare),
    unjustified: rnd.chance(b.unjustifiedReturnShare),
    lateSign: rnd.chance(b.lateSignShare),
    lateResolve: rnd.chance(b.lateResolveShare),
    extension: rnd.chance(b.extensionShare),
    extensionApproved: rnd.chance(b.extensionApprovedShare),
    // Skewed: most cases are quick, a few use nearly all the time the unit usually takes.
    share: Math.min(0.97, b.handlingShare * (0.05 + 1.3 * rnd.next() ** 4)),
    signDelay: b.signDelayHours,
    rating: sensor ? 'satisfied' : rating,
    sensor,
    reopened: 0,
    extended: false,
    returned: false,
    urged: false,
    start: rnd.chance(0.35),
  };
}

const later = (t: Date, minutes: number) => new Date(t.getTime() + minutes * MIN_MS);

/**
 * The next step of case `c` (as it stands after the step taken at `now`), or null when its story is over.
 * `redispatchTo` is the unit a justified return goes to instead.
 */
export function nextStep<C extends PlannedCase>(
  c: C,
  s: CaseStory,
  now: Date,
  rnd: Random,
  cal: WorkCalendar,
  redispatchTo: (c: C) => number | null,
  triageTo: (c: C) => number | null,
): PlannedStep | null {
  const wh = (from: Date, hours: number) => addWorkingHours(cal, from, Math.max(0.02, hours));
  switch (c.state) {
    case 'received': {
      // The triage queue: a duty officer dispatches within the hour, or dismisses what nobody handles.
      const to = triageTo(c);
      const at = later(now, rnd.uniform(4, 70));
      return to === null
        ? { at, by: 'officer', cmd: { action: 'dismiss', note: '非本区职责范围，已告知来电人' } }
        : { at, by: 'officer', cmd: { action: 'dispatch', departmentId: to, gridCellId: c.gridCellId } };
    }
    case 'returned': {
      const at = later(now, rnd.uniform(10, 180));
      const other = s.unjustified ? null : redispatchTo(c);
      const to = other ?? c.departmentId;
      if (to === null)
        return { at, by: 'officer', cmd: { action: 'dismiss', note: '退回理由成立，转交其他渠道办理' } };
      return { at, by: 'officer', cmd: { action: 'dispatch', departmentId: to, gridCellId: c.gridCellId } };
    }
    case 'dispatched': {
      if (s.returns && !s.returned) {
        s.returned = true;
        return {
          at: wh(now, rnd.uniform(0.1, 1.5)),
          by: 'staff',
          cmd: {
            action: 'return',
            note: s.unjustified ? '不属于本单位职责' : '经核实属于其他单位职责，申请退回',
          },
        };
      }
      const signAt = s.lateSign
        ? wh(c.signDueAt ?? now, rnd.uniform(0.3, 6))
        : wh(now, Math.min(rnd.uniform(0.2, 1.8) * s.signDelay, (c.priority === 1 ? 1 : 2) * 0.9));
      if (s.lateSign && !s.urged && c.signDueAt && c.signDueAt < signAt) {
        s.urged = true;
        return {
          at: later(c.signDueAt, rnd.uniform(5, 40)),
          by: 'officer',
          cmd: { action: 'urge', note: '已超签收时限，请尽快签收' },
        };
      }
      return { at: signAt, by: 'staff', cmd: { action: 'sign' } };
    }
    case 'signed':
      // A third of the units mark the work as started; the others go from signing straight to resolving.
      if (s.start) {
        s.start = false;
        return {
          at: wh(now, rnd.uniform(0.05, 0.8)),
          by: 'staff',
          cmd: { action: 'start', note: '已安排人员现场处置' },
        };
      }
    // falls through
    case 'in_progress': {
      const signed = c.signedAt ?? now;
      const allowed = c.allowedHours ?? 24;
      if (c.pendingExtensionHours !== null)
        return {
          at: later(now, rnd.uniform(20, 240)),
          by: 'officer',
          cmd: {
            action: 'decide_extension',
            approve: s.extensionApproved,
            note: s.extensionApproved ? '同意延期' : '不同意延期，请按时办结',
          },
        };
      if (s.extension && !s.extended) {
        s.extended = true;
        const at = wh(signed, Math.min(allowed, 24) * rnd.uniform(0.2, 0.5));
        if (at > now)
          return {
            at,
            by: 'staff',
            cmd: {
              action: 'request_extension',
              hours: Math.max(8, Math.round(allowed / 2)),
              note: '需协调多个部门，申请延期',
            },
          };
      }
      const due = c.dueAt ?? wh(signed, allowed);
      // Long clocks (low priority, 80–120 h) are not used up: most work takes days, not weeks.
      // Late work shows on the short clocks; a unit does not sit on a two-week case past its deadline.
      const target =
        s.lateResolve && allowed <= 40
          ? wh(due, rnd.uniform(0.5, 12))
          : wh(signed, Math.min(allowed, 24) * s.share);
      const at = target > now ? target : later(now, rnd.uniform(10, 90));
      return {
        at,
        by: 'staff',
        cmd: {
          action: 'resolve',
          note: s.sensor ? '现场处置完毕，设备恢复正常' : '已现场处理完毕并答复来电人',
        },
      };
    }
    case 'resolved':
      return {
        at: wh(now, rnd.uniform(0.2, 3)),
        by: 'officer',
        cmd: { action: 'call_back', note: s.sensor ? '复核设备读数已恢复正常' : '已回访来电人' },
      };
    case 'called_back': {
      const rating = s.reopened > 0 && s.rating === 'unsatisfied' ? 'partly' : s.rating;
      return { at: later(now, rnd.uniform(1, 6)), by: 'officer', cmd: { action: 'rate', rating } };
    }
    case 'rated':
      if (c.rating === 'unsatisfied') {
        s.reopened += 1;
        return {
          at: later(now, rnd.uniform(5, 120)),
          by: 'officer',
          cmd: { action: 'reopen', note: '来电人不满意，重新办理' },
        };
      }
      return { at: later(now, rnd.uniform(1, 30)), by: 'officer', cmd: { action: 'close' } };
    default:
      return null;
  }
}
