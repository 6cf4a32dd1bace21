// The alarm use-cases after ingest raised an alarm: an officer acknowledges it, an unacknowledged one
// escalates with time, a critical one opens a case for the sensor's owner department. `sweep` is safe to
// run on every node at once: each change is a guarded statement, so it applies once.
import type { AlarmsRepository, CaseOpener, OpenAlarmFilter } from '../db/repositories/alarms.repository';
import type { AlarmView } from '../../src/lib/api/alarms';
import { DEFAULT_ESCALATION, escalationDue, needsCase, type EscalationPolicy } from '../domain/alarms';
import { createLogger, type Logger } from '../log';

export { DEFAULT_ESCALATION, type EscalationPolicy };

/** The repository calls the service makes (a test hands in a fake). */
export type AlarmsPort = Pick<
  AlarmsRepository,
  | 'acknowledge'
  | 'forSensor'
  | 'sensorExists'
  | 'listOpen'
  | 'escalationCandidates'
  | 'escalate'
  | 'withoutCase'
  | 'openCase'
>;

/** What the service is built from. */
export interface AlarmServiceDeps {
  /** The alarm repository. */
  alarms: AlarmsPort;
  /** Where acknowledgements, escalations, opened cases and failures are reported. */
  log: Logger;
  /** Opens an alarm's case through the common case path (caseService.open); required to open cases. */
  openCase?: CaseOpener;
  /** Told about each case opened (after commit), for live updates. */
  onCaseOpened?: (c: { caseId: number; caseCode: string; departmentId: number | null; at: Date }) => void;
  /** Escalation limits; DEFAULT_ESCALATION (level 1 after 10 min, level 2 after 30) when absent. */
  policy?: EscalationPolicy;
}

/** Why an acknowledgement changed nothing. */
export type AckRefusal = 'not_found' | 'cleared' | 'already_acknowledged';

/** Result of one sweep, for logs and for whoever pushes the changes to browsers. */
export interface SweepResult {
  /** Alarms raised to a new escalation level in this sweep. */
  escalated: { alarmId: number; level: number }[];
  /** Cases opened in this sweep (a case another node opened first is not listed). */
  casesOpened: { alarmId: number; caseId: number; caseCode: string; departmentId: number | null }[];
  /** Alarms whose escalation or case failed; logged, and retried by the next sweep. */
  failed: number;
}

function checkPolicy(policy: EscalationPolicy): EscalationPolicy {
  const m = policy.afterSeconds;
  if (m.length === 0 || m.some((x, i) => !(x > 0) || (i > 0 && x <= m[i - 1]))) {
    throw new Error(`escalation policy: afterSeconds must be positive and ascending, got [${m.join(', ')}]`);
  }
  return policy;
}

const noOpener: CaseOpener = () => Promise.reject(new Error('no case opener configured'));

export function alarmService(deps: AlarmServiceDeps) {
  const { alarms, log } = deps;
  const policy = checkPolicy(deps.policy ?? DEFAULT_ESCALATION);
  const maxLevel = policy.afterSeconds.length;
  const firstLimitMs = policy.afterSeconds[0] * 1000;

  async function escalate(now: Date, result: SweepResult) {
    const candidates = await alarms.escalationCandidates(new Date(now.getTime() - firstLimitMs), maxLevel);
    for (const alarm of candidates) {
      // escalationDue moves one level at a time; an alarm a stopped sweep left behind climbs every level
      // it has outlived here, each recorded on its own.
      let current = alarm;
      for (
        let level = escalationDue(current, now, policy);
        level !== null;
        level = escalationDue(current, now, policy)
      ) {
        try {
          // false: acknowledged, cleared or escalated by another node since it was read — stop here.
          if (!(await alarms.escalate(alarm.id, level, now))) break;
        } catch (err) {
          result.failed++;
          log.error('alarm escalation failed', { alarmId: alarm.id, error: (err as Error).message });
          break;
        }
        current = { ...current, escalationLevel: level };
        result.escalated.push({ alarmId: alarm.id, level });
        log.warn('alarm escalated', { alarmId: alarm.id, ruleId: alarm.ruleId, level });
      }
    }
  }

  async function openCases(now: Date, result: SweepResult) {
    const candidates = (await alarms.withoutCase(2)).filter(needsCase);
    for (const alarm of candidates) {
      try {
        const opened = await alarms.openCase(alarm.id, now, deps.openCase ?? noOpener);
        if (!opened.created) continue;
        const { caseId, caseCode, departmentId } = opened;
        result.casesOpened.push({ alarmId: alarm.id, caseId, caseCode, departmentId });
        deps.onCaseOpened?.({ caseId, caseCode, departmentId, at: now });
        log.info('case opened from alarm', { alarmId: alarm.id, caseId, caseCode, departmentId });
      } catch (err) {
        result.failed++;
        log.error('opening a case for an alarm failed', { alarmId: alarm.id, error: (err as Error).message });
      }
    }
  }

  return {
    /** The policy in force (after defaults). */
    policy,

    /** Acknowledges an open alarm for `user`; refuses one that is unknown, cleared or already acknowledged. */
    async acknowledge(
      alarmId: number,
      user: { id: number },
      now: Date,
    ): Promise<{ ok: true; alarm: AlarmView } | { ok: false; reason: AckRefusal }> {
      const r = await alarms.acknowledge(alarmId, user.id, now);
      if (r.ok) log.info('alarm acknowledged', { alarmId, userId: user.id });
      return r;
    },

    /** A sensor's alarms (open and acknowledged, then the last 20 cleared), newest first; null: no such sensor. */
    async sensorAlarms(sensorId: number): Promise<AlarmView[] | null> {
      const list = await alarms.forSensor(sensorId);
      if (list.length === 0 && !(await alarms.sensorExists(sensorId))) return null;
      return list;
    },

    /** Alarms not yet cleared, critical first, then newest first. */
    async openAlarms(filter: OpenAlarmFilter): Promise<AlarmView[]> {
      return alarms.listOpen(filter);
    },

    /**
     * Escalates unacknowledged alarms past the policy's limits and opens a case for each critical alarm
     * without one. Never throws for one alarm: failures are counted, logged and retried next time.
     */
    async sweep(now: Date): Promise<SweepResult> {
      const result: SweepResult = { escalated: [], casesOpened: [], failed: 0 };
      await escalate(now, result);
      await openCases(now, result);
      return result;
    },
  };
}

export type AlarmService = ReturnType<typeof alarmService>;

/** Options of the periodic sweep. */
export interface AlarmJobsOptions {
  /** Pause between the end of one sweep and the start of the next, in ms. */
  intervalMs: number;
  /** Where a failed sweep is reported; a default logger when absent. */
  log?: Logger;
  /** The clock; `new Date()` when absent (tests pass their own). */
  now?: () => Date;
}

/**
 * Runs `service.sweep` every `intervalMs` until stopped. Sweeps never overlap on one node (the next is
 * scheduled when the last ends); a failed sweep is logged and the timer keeps going.
 */
export function startAlarmJobs(
  service: Pick<AlarmService, 'sweep'>,
  options: AlarmJobsOptions,
): { stop(): Promise<void> } {
  if (!(options.intervalMs > 0)) throw new Error(`intervalMs must be positive, got ${options.intervalMs}`);
  const log = options.log ?? createLogger('info', 'alarm-jobs');
  const now = options.now ?? (() => new Date());
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const run = async () => {
    try {
      const r = await service.sweep(now());
      if (r.escalated.length || r.casesOpened.length || r.failed) {
        log.info('alarm sweep', {
          escalated: r.escalated.length,
          casesOpened: r.casesOpened.length,
          failed: r.failed,
        });
      }
    } catch (err) {
      log.error('alarm sweep failed', { error: (err as Error).message });
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().then(schedule);
    }, options.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
