// Replay (issue 19): the operations picture at any instant of the retained window, exact, from the stored
// record: sensor states from the checkpoint before the instant and the transitions after it, alarms from
// their open / acknowledge / clear times, cases folded from their events. No personal data: cases are
// given by code, category, street and state, alarms by sensor and rule. Also the leader's upkeep job:
// a checkpoint every REPLAY_CHECKPOINT_MINUTES and retention of REPLAY_DAYS.
import type { ReplayRepository } from '../db/repositories/replay.repository';
import type { Logger } from '../log';
import { caseAt, countSensors } from '../domain/replay';
import type { WorkCalendar } from '../domain/work-calendar';
import type { ReplayBookmark, ReplayState } from '../../src/lib/api/replay';

export type { ReplayState };

/** Why an instant cannot be replayed; `code` tells the route which answer to give. */
export class ReplayRefused extends Error {
  override readonly name = 'ReplayRefused';
  constructor(
    readonly code: 'future' | 'before_window' | 'no_checkpoint' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The refusal in `e`, if it is one. By name, not instanceof: the routes' bundle and the server's modules
 * (server/index.ts builds the app from the sources) each have their own copy of the class.
 */
export function replayRefusal(e: unknown): ReplayRefused | null {
  return e instanceof Error && e.name === 'ReplayRefused' && 'code' in e ? (e as ReplayRefused) : null;
}

/** Longest alarm and case lists in one answer (their counts are always whole). */
export const LIST_LIMIT = 200;

const DEADLINE_ORDER: Record<string, number> = { overdue: 0, due_soon: 1, on_track: 2 };
/** Overdue first, then due soon, then the rest; by code within each. */
const byDeadline = (a: ReplayState['cases'][number], b: ReplayState['cases'][number]) =>
  (DEADLINE_ORDER[a.deadline ?? ''] ?? 3) - (DEADLINE_ORDER[b.deadline ?? ''] ?? 3) ||
  a.code.localeCompare(b.code);

export interface ReplaySettings {
  calendar: WorkCalendar;
  days: number;
  checkpointMinutes: number;
}

export function replayService(repo: ReplayRepository, settings: ReplaySettings) {
  const windowStart = (now: Date) => new Date(now.getTime() - settings.days * 86_400_000);

  return {
    /** The instants that can be replayed: from the oldest retained checkpoint (or the window) to now. */
    async window(now: Date): Promise<{ from: string; to: string } | null> {
      const w = await repo.window();
      if (!w) return null;
      const from = new Date(Math.max(w.from.getTime(), windowStart(now).getTime()));
      return { from: from.toISOString(), to: now.toISOString() };
    },

    /** The picture at `at`; refuses instants in the future or outside the retained window. */
    async stateAt(at: Date, now: Date): Promise<ReplayState> {
      if (at.getTime() > now.getTime())
        throw new ReplayRefused('future', `at ${at.toISOString()} is in the future`);
      if (at.getTime() < windowStart(now).getTime())
        throw new ReplayRefused(
          'before_window',
          `at ${at.toISOString()} is before the replay window (REPLAY_DAYS = ${settings.days})`,
        );
      const sensors = await repo.sensorsAt(at);
      if (!sensors) {
        const w = await repo.window();
        throw new ReplayRefused(
          'no_checkpoint',
          w
            ? `at ${at.toISOString()} is before the first checkpoint (${w.from.toISOString()})`
            : 'no checkpoint has been taken yet',
        );
      }
      const [totals, families, alarms, cases] = await Promise.all([
        repo.familyTotals(),
        repo.familiesOf(sensors.ids),
        repo.alarmsAt(at),
        repo.openCasesAt(at),
      ]);
      const folded = cases.map((c) => {
        const f = caseAt(c.events, at, settings.calendar);
        return {
          code: c.code,
          category: f.category ?? c.category,
          streetName: c.streetName,
          streetNameEn: c.streetNameEn,
          state: f.state!,
          departmentId: f.departmentId,
          deadline: f.deadline,
        };
      });
      return {
        at: at.toISOString(),
        checkpointAt: sensors.checkpointAt.toISOString(),
        sensors: {
          ids: sensors.ids,
          states: sensors.states,
          counts: countSensors(totals, sensors, families),
        },
        // The most urgent first and cut, like the live snapshot; the counts are over all of them.
        alarms: [...alarms].sort((a, b) => b.severity - a.severity).slice(0, LIST_LIMIT),
        alarmCounts: {
          open: alarms.filter((a) => a.status === 'open').length,
          acknowledged: alarms.filter((a) => a.status === 'acknowledged').length,
          critical: alarms.filter((a) => a.severity === 2).length,
        },
        caseCounts: {
          open: folded.length,
          overdue: folded.filter((c) => c.deadline === 'overdue').length,
          dueSoon: folded.filter((c) => c.deadline === 'due_soon').length,
        },
        cases: [...folded].sort(byDeadline).slice(0, LIST_LIMIT),
      };
    },

    /** The next instant after `at` when anything replay shows changed (null: nothing until now). */
    async nextChange(at: Date, now: Date): Promise<string | null> {
      return (await repo.nextChange(at, now))?.toISOString() ?? null;
    },

    /** Bookmarks of instants in [from, to), earliest first, as `user` sees them. */
    async bookmarks(
      range: { from: Date; to: Date },
      user: { id: number; role: string },
    ): Promise<ReplayBookmark[]> {
      const rows = await repo.bookmarks(range.from, range.to);
      return rows.map((b) => ({
        id: b.id,
        from: b.fromAt.toISOString(),
        to: b.toAt?.toISOString() ?? null,
        note: b.note,
        author: b.author,
        mine: user.role === 'admin' || b.createdBy === user.id,
      }));
    },

    /** Sets a bookmark; refuses instants outside the window and intervals that end before they start. */
    async addBookmark(
      b: { from: Date; to: Date | null; note: string },
      userId: number,
      now: Date,
    ): Promise<number> {
      const start = windowStart(now).getTime();
      if (b.from.getTime() > now.getTime())
        throw new ReplayRefused('future', `from ${b.from.toISOString()} is in the future`);
      if (b.from.getTime() < start)
        throw new ReplayRefused('before_window', `from ${b.from.toISOString()} is before the replay window`);
      if (b.to && b.to.getTime() <= b.from.getTime())
        throw new ReplayRefused('invalid', 'to must be after from');
      if (b.to && b.to.getTime() > now.getTime())
        throw new ReplayRefused('future', `to ${b.to.toISOString()} is in the future`);
      return repo.addBookmark({ fromAt: b.from, toAt: b.to, note: b.note, createdBy: userId });
    },

    deleteBookmark: (id: number, user: { id: number; role: string }) =>
      repo.deleteBookmark(id, user.role === 'admin' ? null : user.id),

    /** One checkpoint now, and retention of what is older than the window. */
    async upkeep(now: Date) {
      const checkpoint = await repo.writeCheckpoint();
      const pruned = await repo.prune(windowStart(now));
      return { checkpoint, pruned };
    },
  };
}

export type ReplayService = ReturnType<typeof replayService>;

/** The leader's job: a checkpoint at start and every REPLAY_CHECKPOINT_MINUTES, with retention. */
export function startReplayUpkeep(
  service: ReplayService,
  opts: { checkpointMinutes: number; log: Logger },
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = running
      .then(() => service.upkeep(new Date()))
      .then(({ checkpoint, pruned }) => {
        opts.log.debug('replay checkpoint', { abnormal: checkpoint.ids.length, ...pruned });
      })
      .catch((err: Error) => opts.log.warn('replay checkpoint failed', { error: err.message }));
  };
  run();
  const timer = setInterval(run, opts.checkpointMinutes * 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
