// Watches case deadlines: every interval, the cases whose signing or resolution deadline became due soon
// or passed since the last look are announced, so consoles and case pages update without a reload. Due
// soon and overdue themselves are stored instants (due_soon_at, due_at), so lists are right even between
// two looks; this only tells the browsers when to refresh.
import type { CasesRepository } from '../db/repositories/cases.repository';
import type { Logger } from '../log';
import type { CaseChangeNotice } from './case.service';

export interface DeadlineWatch {
  /** One look now (tests call it with their own clock). */
  check(now: Date): Promise<number>;
  stop(): Promise<void>;
}

export function startDeadlineWatch(
  repo: Pick<CasesRepository, 'deadlinesCrossed'>,
  opts: {
    intervalMs: number;
    log: Logger;
    notify: (n: CaseChangeNotice & { deadline: 'due_soon' | 'overdue' }) => void;
    now?: () => Date;
    autostart?: boolean;
  },
): DeadlineWatch {
  const clock = opts.now ?? (() => new Date());
  let last = clock();
  let running: Promise<number> | null = null;

  async function check(now: Date): Promise<number> {
    const crossed = await repo.deadlinesCrossed(last, now);
    last = now;
    for (const c of crossed)
      opts.notify({
        id: c.id,
        code: c.code,
        action: 'deadline',
        state: c.state,
        departmentId: c.departmentId,
        at: now,
        deadline: c.deadline,
      });
    if (crossed.length) opts.log.info('case deadlines crossed', { count: crossed.length });
    return crossed.length;
  }

  const timer =
    opts.autostart === false
      ? null
      : setInterval(() => {
          if (running) return;
          running = check(clock())
            .catch((err: Error) => {
              opts.log.warn('deadline watch failed', { error: err.message });
              return 0;
            })
            .finally(() => (running = null));
        }, opts.intervalMs);
  timer?.unref();

  return {
    check,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
