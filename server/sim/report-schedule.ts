// When each simulated device sends its next routine report, and how many reports one simulator tick may
// hand to ingest. Pure (no I/O, no clock reads): the simulator passes `t` in and owns the randomness.
//
// The budget is derived from the fleet, not guessed. A device must report at least once per heartbeat
// window or the watchdog marks it offline, so the floor is
//     coverage = Σ_family count_f / heartbeat_f                         (reports per second)
// Healthy devices report every interval_f (a few intervals fit in one heartbeat), which is what we plan for:
//     planned  = Σ_family count_f / interval_f ≥ 2 × coverage            (interval_f is capped at heartbeat_f / 2)
//     quota    = ⌈planned × HEADROOM × elapsed⌉                          per tick of `elapsed` seconds
// HEADROOM = 2 absorbs the jitter of the schedule, so the backlog never grows and every device reports
// within interval_f × 1.1 plus at most a tick or two of queueing — well inside its heartbeat.
// For the 20,000-sensor demo city (55 % manholes and 18 % hydrants at 1800 s / 7200 s, 12 % elevators at
// 300 s / 900 s, 7 % drains and 3 % gas detectors at 600 s / 1800 s, 5 % street lights at 900 s / 3600 s):
//     coverage ≈ 6.1 /s, planned ≈ 20.6 /s, quota = 42 reports per 1 s tick (unit-tested: an hour of
//     ticks keeps every one of them within its heartbeat). 500,000 sensors take 1,028 per 1 s tick.
// Devices found overdue at start-up (the server was down) are spread over a catch-up window of at least a
// minute, adding at most CATCH_UP_PER_SECOND reports a second: 20,000 overdue devices take 100 s.
import type { Random } from '../domain/random';

/** How often a family reports and when its silence counts as offline. */
export interface ReportCadence {
  /** Seconds without a report after which a device is offline (sensor_types.heartbeat_seconds). */
  heartbeatSeconds: number;
  /** Seconds between a healthy device's routine reports. */
  reportIntervalSeconds: number;
}

/** One family's share of the report load. */
export interface FamilyLoad extends ReportCadence {
  /** Sensors of the family. */
  count: number;
}

/** Reports per tick above the planned rate, so jitter never builds a backlog. */
export const QUOTA_HEADROOM = 2;
/** Extra reports per second while catching up with devices overdue at start-up. */
export const CATCH_UP_PER_SECOND = 200;
/** The shortest catch-up window, ms. */
export const MIN_CATCH_UP_MS = 60_000;
/** A routine report comes this much earlier or later than its interval (± share). */
const JITTER = 0.1;

/** The interval actually used: the family's, but never more than half a heartbeat. */
export function reportIntervalMs(c: ReportCadence): number {
  return Math.min(c.reportIntervalSeconds, c.heartbeatSeconds / 2) * 1000;
}

/** Reports per second needed for every device to report once per heartbeat window (the floor). */
export function coverageRate(loads: readonly FamilyLoad[]): number {
  return loads.reduce((s, f) => s + f.count / f.heartbeatSeconds, 0);
}

/** Reports per second when every device reports at its family's interval. */
export function plannedRate(loads: readonly FamilyLoad[]): number {
  return loads.reduce((s, f) => s + (f.count * 1000) / reportIntervalMs(f), 0);
}

/** Routine reports one tick covering `elapsedMs` may send (see the header for the math). */
export function heartbeatQuota(loads: readonly FamilyLoad[], elapsedMs: number): number {
  return Math.ceil((plannedRate(loads) * QUOTA_HEADROOM * elapsedMs) / 1000);
}

/** How long catching up with `overdue` devices takes: at least a minute, at most CATCH_UP_PER_SECOND a second. */
export function catchUpWindowMs(overdue: number): number {
  return Math.max(MIN_CATCH_UP_MS, Math.ceil((overdue / CATCH_UP_PER_SECOND) * 1000));
}

/**
 * The next routine report of every device (one slot each) and a cursor that makes a tick short of quota
 * continue where the last one stopped, so under a backlog every device still gets its turn.
 */
export class ReportSchedule {
  private readonly next: Float64Array;
  private readonly interval: Float64Array;
  private readonly loads: FamilyLoad[];
  private readonly catchUpEnd: number;
  private readonly catchUpMs: number;
  private cursor = 0;
  /** Devices whose last report was too long ago at `t` and that report within the catch-up window. */
  readonly overdue: number;

  /**
   * @param cadence each slot's family cadence (slots of one family share the object)
   * @param lastReportMs each slot's last report, epoch ms; NaN when it never reported
   * @param t the time the schedule starts, epoch ms
   */
  constructor(
    cadence: readonly ReportCadence[],
    lastReportMs: ArrayLike<number>,
    t: number,
    private readonly rnd: Random,
  ) {
    const n = cadence.length;
    this.next = new Float64Array(n);
    this.interval = new Float64Array(n);
    const byCadence = new Map<ReportCadence, FamilyLoad>();
    const late: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = cadence[i];
      const load = byCadence.get(c);
      if (load) load.count++;
      else byCadence.set(c, { ...c, count: 1 });
      this.interval[i] = reportIntervalMs(c);
      const last = lastReportMs[i];
      // Spread the first reports over an interval so the whole fleet does not report in one wave.
      const first = Number.isNaN(last) ? -Infinity : last + this.interval[i] * rnd.uniform(0.5, 1);
      if (first > t) this.next[i] = first;
      else late.push(i);
    }
    this.loads = [...byCadence.values()];
    this.overdue = late.length;
    this.catchUpMs = catchUpWindowMs(late.length);
    this.catchUpEnd = late.length > 0 ? t + this.catchUpMs : t;
    for (const i of late) this.next[i] = t + rnd.uniform(0, this.catchUpMs);
  }

  /** Number of slots. */
  get size(): number {
    return this.next.length;
  }

  /** The families' loads the quota is computed from. */
  get familyLoads(): readonly FamilyLoad[] {
    return this.loads;
  }

  /** Reports a tick ending at `t` and covering `elapsedMs` may send, catch-up included. */
  quota(t: number, elapsedMs: number): number {
    const steady = heartbeatQuota(this.loads, elapsedMs);
    if (t - elapsedMs >= this.catchUpEnd) return steady;
    return steady + Math.ceil((this.overdue * elapsedMs) / this.catchUpMs);
  }

  /** When slot `i` reports next, epoch ms. */
  nextAt(i: number): number {
    return this.next[i];
  }

  /** Slot `i` reported at `t`: its next routine report is one interval (± jitter) later. */
  reported(i: number, t: number): void {
    this.next[i] = t + this.interval[i] * this.rnd.uniform(1 - JITTER, 1 + JITTER);
  }

  /**
   * Up to `quota` slots whose routine report is due at `t`, each rescheduled as reported. Slots for which
   * `skip` is true (a device busy with a fault, or silent) are passed over and stay due.
   */
  due(t: number, quota: number, skip: (i: number) => boolean): number[] {
    const n = this.next.length;
    const out: number[] = [];
    let i = this.cursor;
    for (let scanned = 0; scanned < n && out.length < quota; scanned++) {
      if (this.next[i] <= t && !skip(i)) {
        this.reported(i, t);
        out.push(i);
      }
      i = i + 1 === n ? 0 : i + 1;
    }
    this.cursor = n === 0 ? 0 : i;
    return out;
  }
}
