// The case use-cases: open a case, and take an action on it. The state machine (domain/case-workflow)
// decides; this service adds the deadlines from the working-hours calendar, writes the change and its
// event in one transaction with a version check, and tells the live layer afterwards.
import type { CaseRecord, CasePatch, CasesRepository, NewCase } from '../db/repositories/cases.repository';
import { categoryByCode, resolutionHours, signingHours } from '../domain/case-categories';
import { decide, type CaseChange, type CaseCommand, type CaseState } from '../domain/case-workflow';
import type { Role } from '../domain/roles';
import { addWorkingHours, type WorkCalendar } from '../domain/work-calendar';
import type { Logger } from '../log';

/** Who acts: a signed-in user, or the system (auto-dispatch, alarm cases). */
export interface CaseActor {
  userId: number | null;
  role: Role | 'system';
  departmentId: number | null;
}

/** Told after every committed change, for live updates. */
export interface CaseChangeNotice {
  id: number;
  code: string;
  action: string;
  state: CaseState;
  departmentId: number | null;
  at: Date;
  /** For deadline notices: where the deadline now stands. */
  deadline?: 'due_soon' | 'overdue';
}

export type ActResult =
  | { ok: true; code: string; state: CaseState }
  | { ok: false; status: 400 | 403 | 404 | 409; message: string };

export interface CaseServiceDeps {
  cases: Pick<
    CasesRepository,
    | 'transaction'
    | 'byCode'
    | 'applyChange'
    | 'insertEvent'
    | 'insertCase'
    | 'departmentExists'
    | 'firstTicket'
    | 'insertCorrection'
    | 'locate'
  >;
  calendar: WorkCalendar;
  log: Logger;
  /** Called after a change committed. */
  onChange?: (n: CaseChangeNotice) => void;
  /** Called when an officer corrects a category, so the classifier learns it. */
  onCorrection?: (text: string, category: string) => void;
}

/** The working-hours deadlines of a running resolution clock. */
export function resolutionClock(
  cal: WorkCalendar,
  signedAt: Date,
  allowedHours: number,
): { dueAt: Date; dueSoonAt: Date } {
  const soonBefore = Math.max(2, allowedHours / 5);
  return {
    dueAt: addWorkingHours(cal, signedAt, allowedHours),
    dueSoonAt: addWorkingHours(cal, signedAt, Math.max(0, allowedHours - soonBefore)),
  };
}

export function caseService(deps: CaseServiceDeps) {
  const { cases, calendar } = deps;

  /** The columns an allowed action writes, deadlines included. */
  function patchFor(c: CaseRecord, change: CaseChange, now: Date): CasePatch {
    const p: CasePatch = { state: change.toState };
    const priority = change.priority ?? c.priority;
    if (change.category !== undefined) p.category = change.category;
    if (change.priority !== undefined) p.priority = change.priority;
    if (change.pendingExtensionHours !== undefined) p.pendingExtensionHours = change.pendingExtensionHours;
    if (change.rating !== undefined) p.rating = change.rating;
    if (change.departmentId !== undefined) {
      p.departmentId = change.departmentId;
      p.triage = false;
    }
    if (change.gridCellId !== undefined) p.gridCellId = change.gridCellId;
    if (change.restartClock) {
      p.dispatchedAt = now;
      p.signDueAt = addWorkingHours(calendar, now, signingHours(priority));
      p.signedAt = null;
      p.allowedHours = null;
      p.dueAt = null;
      p.dueSoonAt = null;
      p.resolvedAt = null;
      p.closedAt = null;
    }
    if (change.signedAt) {
      const category = categoryByCode(c.category ?? '') ?? categoryByCode('other.consultation')!;
      const allowed = resolutionHours(category, priority);
      p.signedAt = change.signedAt;
      p.allowedHours = allowed;
      Object.assign(p, resolutionClock(calendar, change.signedAt, allowed));
    }
    if (change.extendHours && c.signedAt && c.allowedHours !== null) {
      p.allowedHours = c.allowedHours + change.extendHours;
      Object.assign(p, resolutionClock(calendar, c.signedAt, p.allowedHours));
    }
    if (change.toState === 'resolved') p.resolvedAt = now;
    if (change.toState === 'closed') p.closedAt = now;
    return p;
  }

  return {
    /**
     * Takes one action on a case. `expectedVersion` (from the page the user saw) makes a stale click fail
     * with 409 instead of acting on a case that changed meanwhile.
     */
    async act(
      code: string,
      cmd: CaseCommand,
      actor: CaseActor,
      now: Date,
      expectedVersion?: number,
    ): Promise<ActResult> {
      const c = await cases.byCode(code);
      if (!c) return { ok: false, status: 404, message: `no case "${code}"` };
      if (expectedVersion !== undefined && expectedVersion !== c.version)
        return {
          ok: false,
          status: 409,
          message: `case ${code} changed since you opened it; reload and try again`,
        };
      if (actor.role === 'system')
        return { ok: false, status: 403, message: 'the system cannot act as a user' };
      const d = decide(c, cmd, { role: actor.role, departmentId: actor.departmentId }, now);
      if (!d.ok)
        return {
          ok: false,
          status: d.code === 'forbidden' ? 403 : d.code === 'invalid' ? 400 : 409,
          message: d.message,
        };
      if (
        (cmd.action === 'dispatch' || cmd.action === 'reassign') &&
        !(await cases.departmentExists(cmd.departmentId))
      )
        return { ok: false, status: 400, message: `no department with id ${cmd.departmentId}` };
      const patch = patchFor(c, d.change, now);
      if (d.change.place) {
        const where = await cases.locate(d.change.place.lon, d.change.place.lat);
        if (where.streetId === null)
          return { ok: false, status: 400, message: 'that point lies outside every street of the district' };
        patch.place = { ...d.change.place, streetId: where.streetId, gridCellId: where.gridCellId };
      }
      const data = { ...d.event.data, ...deadlineData(patch) };
      const applied = await cases.transaction(async (tx) => {
        if (!(await cases.applyChange(c.id, c.version, patch, now, tx))) return false;
        await cases.insertEvent(
          c.id,
          { ...d.event, data },
          { userId: actor.userId, role: actor.role },
          now,
          tx,
        );
        if (cmd.action === 'reclassify' && cmd.category !== c.category) {
          const t = await cases.firstTicket(c.id, tx);
          if (t) {
            await cases.insertCorrection(
              {
                ticketId: t.id,
                text: t.text,
                predicted: t.category,
                corrected: cmd.category,
                userId: actor.userId,
              },
              now,
              tx,
            );
            deps.onCorrection?.(t.text, cmd.category);
          }
        }
        return true;
      });
      if (!applied)
        return {
          ok: false,
          status: 409,
          message: `case ${code} was changed by someone else at the same moment; reload`,
        };
      deps.onChange?.({
        id: c.id,
        code,
        action: cmd.action,
        state: patch.state,
        departmentId: patch.departmentId ?? c.departmentId,
        at: now,
      });
      return { ok: true, code, state: patch.state };
    },

    /**
     * Opens a case (state received, event "receive") and, when `dispatchTo` is given, dispatches it as the
     * system in the same transaction. Runs inside the caller's transaction when one is passed.
     */
    async open(
      c: NewCase,
      dispatchTo: { departmentId: number; gridCellId: number | null } | null,
      actor: CaseActor,
      tx?: Parameters<Parameters<CasesRepository['transaction']>[0]>[0],
      note: string | null = null,
    ): Promise<{ id: number; code: string; state: CaseState }> {
      const run = async (t: NonNullable<typeof tx>) => {
        const created = await cases.insertCase(c, t);
        await cases.insertEvent(
          created.id,
          {
            action: 'receive',
            fromState: null,
            toState: 'received',
            note,
            // The note's neutral form rides along, so the history renders it in the reader's language.
            data: {
              category: c.category,
              priority: c.priority,
              source: c.source,
              triage: c.triage,
              ...(c.systemText ? { text: c.systemText } : {}),
            },
          },
          { userId: actor.userId, role: actor.role },
          c.createdAt,
          t,
        );
        if (!dispatchTo) return { ...created, state: 'received' as CaseState };
        const patch: CasePatch = {
          state: 'dispatched',
          departmentId: dispatchTo.departmentId,
          gridCellId: dispatchTo.gridCellId,
          triage: false,
          dispatchedAt: c.createdAt,
          signDueAt: addWorkingHours(calendar, c.createdAt, signingHours(c.priority)),
        };
        await cases.applyChange(created.id, 0, patch, c.createdAt, t);
        await cases.insertEvent(
          created.id,
          {
            action: 'dispatch',
            fromState: 'received',
            toState: 'dispatched',
            note: null,
            data: {
              departmentId: dispatchTo.departmentId,
              gridCellId: dispatchTo.gridCellId,
              auto: true,
              ...deadlineData(patch),
            },
          },
          { userId: null, role: 'system' },
          c.createdAt,
          t,
        );
        return { ...created, state: 'dispatched' as CaseState };
      };
      const result = tx ? await run(tx) : await cases.transaction(run);
      if (!tx)
        deps.onChange?.({
          id: result.id,
          code: result.code,
          action: dispatchTo ? 'dispatch' : 'receive',
          state: result.state,
          departmentId: dispatchTo?.departmentId ?? null,
          at: c.createdAt,
        });
      return result;
    },
  };
}

/** Deadlines written into the event, so the record alone tells when each clock ran out. */
function deadlineData(p: CasePatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.signDueAt) out.signDueAt = p.signDueAt.toISOString();
  if (p.allowedHours !== undefined && p.allowedHours !== null) out.allowedHours = p.allowedHours;
  if (p.dueAt) out.dueAt = p.dueAt.toISOString();
  return out;
}

export type CaseService = ReturnType<typeof caseService>;
