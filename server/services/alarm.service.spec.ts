// The alarm service with every repository call faked: an unexpected call fails the test.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlarmRecord, AlarmView } from '../db/repositories/alarms.repository';
import type { Logger } from '../log';
import { alarmService, startAlarmJobs, type AlarmsPort } from './alarm.service';

const T0 = new Date('2026-03-02T08:00:00Z');
const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);

function record(over: Partial<AlarmRecord> = {}): AlarmRecord {
  return {
    id: 1,
    sensorId: 10,
    ruleId: 'manhole.tilt',
    severity: 1,
    status: 'open',
    openedAt: T0,
    acknowledgedAt: null,
    clearedAt: null,
    escalationLevel: 0,
    escalatedAt: null,
    caseId: null,
    ...over,
  };
}

function view(over: Partial<AlarmView> = {}): AlarmView {
  return {
    id: 1,
    sensorId: 10,
    sensorCode: 'MH-000010',
    ruleId: 'manhole.tilt',
    severity: 1,
    status: 'open',
    openedAt: T0.toISOString(),
    lastSeenAt: T0.toISOString(),
    occurrences: 1,
    lastValue: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    clearedAt: null,
    escalationLevel: 0,
    caseId: null,
    caseCode: null,
    ...over,
  };
}

/** A repository whose only methods are the ones given; anything else throws. */
function strict(impl: Partial<AlarmsPort>): AlarmsPort {
  return new Proxy(impl, {
    get(target, name: string) {
      if (name in target) return target[name as keyof AlarmsPort];
      return () => {
        throw new Error(`unexpected repository call: ${name}`);
      };
    },
  }) as AlarmsPort;
}

const silent = (): Logger & { lines: string[] } => {
  const lines: string[] = [];
  const put = (msg: string) => void lines.push(msg);
  return { lines, debug: put, info: put, warn: put, error: put };
};

describe('acknowledge', () => {
  it('passes the user and time through and returns the acknowledged alarm', async () => {
    const acked = view({
      status: 'acknowledged',
      acknowledgedBy: '值班员',
      acknowledgedAt: T0.toISOString(),
    });
    const acknowledge = vi.fn().mockResolvedValue({ ok: true, alarm: acked });
    const s = alarmService({ alarms: strict({ acknowledge }), log: silent() });
    expect(await s.acknowledge(1, { id: 7 }, T0)).toEqual({ ok: true, alarm: acked });
    expect(acknowledge).toHaveBeenCalledWith(1, 7, T0);
  });

  it('hands back the refusal reason unchanged', async () => {
    for (const reason of ['not_found', 'cleared', 'already_acknowledged'] as const) {
      const acknowledge = vi.fn().mockResolvedValue({ ok: false, reason });
      const s = alarmService({ alarms: strict({ acknowledge }), log: silent() });
      expect(await s.acknowledge(1, { id: 7 }, T0)).toEqual({ ok: false, reason });
    }
  });
});

describe('sensorAlarms', () => {
  it('returns the list without asking whether the sensor exists when it has alarms', async () => {
    const s = alarmService({ alarms: strict({ forSensor: async () => [view()] }), log: silent() });
    expect(await s.sensorAlarms(10)).toHaveLength(1);
  });

  it('tells an unknown sensor (null) from one without alarms (empty list)', async () => {
    const exists = new Set([10]);
    const s = alarmService({
      alarms: strict({ forSensor: async () => [], sensorExists: async (id) => exists.has(id) }),
      log: silent(),
    });
    expect(await s.sensorAlarms(10)).toEqual([]);
    expect(await s.sensorAlarms(99)).toBeNull();
  });
});

describe('sweep', () => {
  function sweepWith(candidates: AlarmRecord[], withoutCase: AlarmRecord[] = []) {
    const escalate = vi.fn().mockResolvedValue(true);
    const openCase = vi.fn().mockImplementation(async (id: number) => ({
      created: true,
      caseId: 100 + id,
      caseCode: `AL-20260302-${id}`,
      departmentId: 5,
    }));
    const escalationCandidates = vi.fn().mockResolvedValue(candidates);
    const alarms = strict({
      escalationCandidates,
      escalate,
      withoutCase: vi.fn().mockResolvedValue(withoutCase),
      openCase,
    });
    return { alarms, escalate, openCase, escalationCandidates };
  }

  it('asks only for alarms older than the first limit and below the top level', async () => {
    const f = sweepWith([]);
    await alarmService({ alarms: f.alarms, log: silent() }).sweep(minutes(60));
    expect(f.escalationCandidates).toHaveBeenCalledWith(minutes(50), 2);
  });

  it('escalates to level 1 after 10 minutes and level 2 after 30, not before, one level at a time', async () => {
    const cases: [number, number, number[]][] = [
      // [age in minutes, current level, levels recorded by this sweep]
      [9.9, 0, []],
      [10, 0, [1]],
      [29, 1, []],
      [30, 1, [2]],
      [45, 0, [1, 2]],
      [45, 2, []],
    ];
    for (const [age, level, expected] of cases) {
      const f = sweepWith([record({ escalationLevel: level })]);
      const r = await alarmService({ alarms: f.alarms, log: silent() }).sweep(minutes(age));
      expect(f.escalate.mock.calls, `age ${age} level ${level}`).toEqual(
        expected.map((l) => [1, l, minutes(age)]),
      );
      expect(r.escalated).toEqual(expected.map((l) => ({ alarmId: 1, level: l })));
    }
  });

  it('never escalates an acknowledged or cleared alarm', async () => {
    const f = sweepWith([
      record({ id: 1, status: 'acknowledged', acknowledgedAt: minutes(1) }),
      record({ id: 2, status: 'cleared', clearedAt: minutes(1) }),
    ]);
    await alarmService({ alarms: f.alarms, log: silent() }).sweep(minutes(60));
    expect(f.escalate).not.toHaveBeenCalled();
  });

  it('follows a configured policy', async () => {
    const f = sweepWith([record()]);
    const s = alarmService({ alarms: f.alarms, log: silent(), policy: { afterSeconds: [120, 300, 480] } });
    const r = await s.sweep(minutes(6));
    expect(f.escalationCandidates).toHaveBeenCalledWith(minutes(4), 3);
    expect(r.escalated).toEqual([
      { alarmId: 1, level: 1 },
      { alarmId: 1, level: 2 },
    ]);
  });

  it('refuses a policy whose limits are not positive and ascending', () => {
    const alarms = strict({});
    for (const afterSeconds of [[], [0], [1800, 600], [600, 600]]) {
      expect(() => alarmService({ alarms, log: silent(), policy: { afterSeconds } })).toThrow(
        /positive and ascending/,
      );
    }
  });

  it('stops climbing when another node or an acknowledgement got to the alarm first', async () => {
    const f = sweepWith([record()]);
    f.escalate.mockResolvedValue(false);
    const r = await alarmService({ alarms: f.alarms, log: silent() }).sweep(minutes(45));
    expect(f.escalate).toHaveBeenCalledTimes(1);
    expect(r.escalated).toEqual([]);
  });

  it('opens a case for each critical alarm without one, and only for those', async () => {
    const f = sweepWith(
      [],
      [
        record({ id: 3, severity: 2 }),
        record({ id: 4, severity: 2, status: 'acknowledged' }),
        record({ id: 5, severity: 1 }),
        record({ id: 6, severity: 2, caseId: 60 }),
      ],
    );
    const r = await alarmService({ alarms: f.alarms, log: silent() }).sweep(minutes(1));
    expect(f.openCase.mock.calls).toEqual([
      [3, minutes(1), expect.any(Function)],
      [4, minutes(1), expect.any(Function)],
    ]);
    expect(r.casesOpened).toEqual([
      { alarmId: 3, caseId: 103, caseCode: 'AL-20260302-3', departmentId: 5 },
      { alarmId: 4, caseId: 104, caseCode: 'AL-20260302-4', departmentId: 5 },
    ]);
  });

  it('does not report a case another node opened first', async () => {
    const f = sweepWith([], [record({ id: 3, severity: 2 })]);
    f.openCase.mockResolvedValue({ created: false, caseId: 77 });
    const r = await alarmService({ alarms: f.alarms, log: silent() }).sweep(minutes(1));
    expect(r.casesOpened).toEqual([]);
  });

  it('keeps going past an alarm that fails, counts and logs it', async () => {
    const f = sweepWith([record({ id: 1 }), record({ id: 2 })], [record({ id: 3, severity: 2 })]);
    f.escalate.mockRejectedValueOnce(new Error('deadlock detected'));
    f.openCase.mockRejectedValueOnce(new Error('connection reset'));
    const log = silent();
    const r = await alarmService({ alarms: f.alarms, log }).sweep(minutes(15));
    expect(r.escalated).toEqual([{ alarmId: 2, level: 1 }]);
    expect(r.casesOpened).toEqual([]);
    expect(r.failed).toBe(2);
    expect(log.lines).toContain('alarm escalation failed');
    expect(log.lines).toContain('opening a case for an alarm failed');
  });
});

describe('startAlarmJobs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sweeps every interval with the clock it is given, survives a failed sweep, and stops', async () => {
    vi.useFakeTimers();
    const sweep = vi
      .fn()
      .mockRejectedValueOnce(new Error('database is down'))
      .mockResolvedValue({ escalated: [], casesOpened: [], failed: 0 });
    const log = silent();
    const jobs = startAlarmJobs({ sweep }, { intervalMs: 1000, log, now: () => T0 });
    expect(sweep).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sweep).toHaveBeenCalledTimes(1);
    expect(log.lines).toEqual(['alarm sweep failed']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(sweep).toHaveBeenCalledTimes(3);
    expect(sweep).toHaveBeenLastCalledWith(T0);
    await jobs.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sweep).toHaveBeenCalledTimes(3);
  });

  it('waits for a sweep in progress when stopped', async () => {
    vi.useFakeTimers();
    let finish = () => {};
    let done = false;
    const sweep = vi.fn().mockImplementation(
      () =>
        new Promise((resolve) => {
          finish = () => {
            done = true;
            resolve({ escalated: [], casesOpened: [], failed: 0 });
          };
        }),
    );
    const jobs = startAlarmJobs({ sweep }, { intervalMs: 100, log: silent() });
    await vi.advanceTimersByTimeAsync(100);
    const stopping = jobs.stop();
    finish();
    await stopping;
    expect(done).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sweep).toHaveBeenCalledTimes(1);
  });
});
