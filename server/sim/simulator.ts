// The live demo: simulated devices report like real ones, through the same ingest pipeline as MQTT and
// HTTP (validation, rules, state, history, alarms). Every tick some devices develop faults and keep
// reporting them, old faults clear, a few devices go silent (the heartbeat watchdog marks them offline),
// healthy devices send routine reports within their heartbeat, and citizens call the 12345 hotline.
// Fault bookkeeping lives in memory (a demo process); the rules, not the simulator, decide each state.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { SENSOR_FAMILIES, type SensorFamilyFact } from '../domain/city-facts';
import { createRandom, type Random } from '../domain/random';
import { faultReading, normalReading, type SensorReading } from '../domain/sensor-state';
import type { IngestItem, IngestPipeline } from '../ingest/pipeline';
import { HotlineCaller, type HotlineCallerOptions, type SimulatedTicket } from './hotline-calls';
import { ReportSchedule, type ReportCadence } from './report-schedule';

export type { SimulatedTicket };

/** Options of the simulator. */
export interface SimulatorOptions {
  /** Milliseconds between ticks when started with start(). */
  tickMs: number;
  /** The intake path simulated calls take (see HotlineCallerOptions.intake); bare tickets when absent. */
  intake?: HotlineCallerOptions['intake'];
  /** Mean hotline calls per hour (Poisson). */
  callsPerHour: number;
  /** Seed of the simulation's random stream. */
  seed: string;
  /** Where readings go: the node's ingest pipeline (validation, rules, state, history, alarms). */
  pipeline: Pick<IngestPipeline, 'submit'>;
  /** Called for each ticket after it is stored. */
  onTicket?: (t: SimulatedTicket) => void;
  /** Progress and error messages. */
  log?: (msg: string) => void;
  /** New faults (a faulty reading the device keeps sending) per sensor per hour, before the family's propensity (default 0.15). */
  faultsPerSensorHour?: number;
  /** Devices going silent (no reports for longer than their heartbeat) per sensor per hour (default 0.001). */
  silencesPerSensorHour?: number;
  /**
   * Codes of sensors a real device reports (IngestPipeline.trackDevices): the simulator sends nothing for
   * them, so a real device's readings are never overwritten by invented ones, and its silence shows.
   */
  realDevices?: ReadonlySet<string>;
}

/** What one tick did. */
export interface TickResult {
  /** False when the previous tick was still running and this one did nothing. */
  ran: boolean;
  /** Readings handed to the ingest pipeline (fault reports and routine reports). */
  readings: number;
  /** Readings the pipeline stored. */
  stored: number;
  /** Readings the pipeline refused into dead letters (a simulator bug if ever non-zero). */
  rejected: number;
  /** Faults that started. */
  faultsStarted: number;
  /** Faults and silences that ended (the device reported healthy again). */
  faultsCleared: number;
  /** Devices that went silent. */
  silenced: number;
  /** Hotline tickets created. */
  tickets: number;
}

/** An ongoing fault of one device. */
interface Fault {
  /** "reading": the device keeps reporting a faulty reading; "silent": it reports nothing at all. */
  kind: 'reading' | 'silent';
  /** How bad the faulty reading is: 1 warning-level, 2 alarm-level (what the rules make of it is theirs). */
  severity: 1 | 2;
  /** When it clears, ms since epoch. */
  endsAt: number;
  /** When a warning-level fault gets worse (a rising water level, a growing leak), if it does. */
  escalateAt: number | null;
  /** The faulty values the device reports; null while silent. */
  reading: SensorReading | null;
  /** When the device reports the fault again, ms since epoch. */
  nextReportAt: number;
}

/** How prone each family is to faults, relative to the base rate: old elevators fail most. */
const FAULT_PROPENSITY: Record<string, number> = {
  manhole: 1,
  hydrant: 0.6,
  elevator: 1.6,
  drain: 0.8,
  streetlight: 1.2,
  gas: 0.5,
};
const MAX_PROPENSITY = Math.max(...Object.values(FAULT_PROPENSITY));

/** Mean fault durations, seconds: warning-level faults get fixed or clear sooner than alarm-level ones. */
const MEAN_DURATION_S = { 1: 240, 2: 480 } as const;

/** Share of new faults by severity. */
const FAULT_SEVERITY_WEIGHTS = [0.7, 0.3];

/**
 * A faulty device reports every minute (event reporting, as alarm-capable devices do) instead of at its
 * routine interval: that is what lets duration rules ("pressure below 0.14 MPa for 5 min") fire.
 */
const FAULT_REPORT_MS = 60_000;

/** A silent device stays silent for its heartbeat plus this mean (exponential) time, s: long enough to be seen offline. */
const MEAN_SILENCE_BEYOND_HEARTBEAT_S = 1200;

/** How often the simulator checks whether sensors were added or removed. */
const RELOAD_CHECK_MS = 60_000;

/** Whether Shanghai (UTC+8) is between dusk and dawn: street lights are on. */
function isNight(now: Date): boolean {
  const hour = (now.getUTCHours() + 8) % 24;
  return hour >= 18 || hour < 6;
}

/** A reading ready for ingest, keyed by slot in the tick's outbox. */
type Outbox = Map<number, SensorReading>;

export class Simulator {
  private readonly rnd: Random;
  private readonly faultRate: number;
  private readonly silenceRate: number;
  // Parallel arrays, one slot per sensor, loaded from the database on the first tick.
  private codes: string[] = [];
  private family: SensorFamilyFact[] = [];
  private cadence: ReportCadence[] = [];
  private schedule: ReportSchedule | null = null;
  private faults = new Map<number, Fault>();
  private loaded = false;
  private loadedShape = '';
  private lastReloadCheck = 0;
  private lastTickAt: number | null = null;
  private readonly calls: HotlineCaller;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<void> | null = null;
  private running = false;
  private busy = false;

  constructor(
    private readonly db: Database,
    private readonly opts: SimulatorOptions,
  ) {
    if (!(opts.tickMs > 0)) throw new Error(`tickMs must be > 0, got ${opts.tickMs}`);
    if (!(opts.callsPerHour >= 0)) throw new Error(`callsPerHour must be >= 0, got ${opts.callsPerHour}`);
    this.rnd = createRandom(`sim:${opts.seed}`);
    this.calls = new HotlineCaller(db, this.rnd, {
      callsPerHour: opts.callsPerHour,
      onTicket: opts.onTicket,
      intake: opts.intake,
      log: (msg) => this.log(msg),
    });
    this.faultRate = opts.faultsPerSensorHour ?? 0.15;
    this.silenceRate = opts.silencesPerSensorHour ?? 0.001;
    if (!(this.faultRate >= 0)) throw new Error(`faultsPerSensorHour must be >= 0, got ${this.faultRate}`);
    if (!(this.silenceRate >= 0)) {
      throw new Error(`silencesPerSensorHour must be >= 0, got ${this.silenceRate}`);
    }
  }

  /**
   * Ticks every tickMs until stop(). Ticks never overlap: the next one is planned when the last has been
   * stored, so a slow database stretches the ticks (each covers its real elapsed time) instead of
   * piling readings up. A failing tick is logged and the next one runs as planned.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      const started = Date.now();
      this.inFlight = this.tick(new Date())
        .then((r) => {
          if (r.faultsStarted || r.faultsCleared || r.silenced || r.tickets || r.rejected) {
            this.log(
              `sim: ${r.readings} readings (${r.stored} stored, ${r.rejected} refused), ` +
                `${r.faultsStarted} faults, ${r.faultsCleared} cleared, ${r.silenced} silent, ${r.tickets} tickets`,
            );
          }
        })
        .catch((err: unknown) => this.log(`sim: tick failed: ${(err as Error).message ?? String(err)}`));
      await this.inFlight;
      this.inFlight = null;
      if (this.running) {
        this.timer = setTimeout(() => void loop(), Math.max(0, this.opts.tickMs - (Date.now() - started)));
      }
    };
    void loop();
  }

  /** Stops ticking and waits for the tick in progress, so ingest and the database can close afterwards. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /**
   * Advances the simulation to `now` and waits until its readings are stored. Public so tests can drive
   * time; a call while the previous tick still runs is skipped (ran: false). Throws on database errors.
   */
  async tick(now: Date): Promise<TickResult> {
    const result: TickResult = {
      ran: false,
      readings: 0,
      stored: 0,
      rejected: 0,
      faultsStarted: 0,
      faultsCleared: 0,
      silenced: 0,
      tickets: 0,
    };
    if (this.busy) return result;
    this.busy = true;
    try {
      result.ran = true;
      // Device time must move forward for every sensor, or ingest drops the reading as a duplicate.
      const t = Math.max(now.getTime(), (this.lastTickAt ?? -Infinity) + 1);
      await this.ensureLoaded(t);
      const elapsed =
        this.lastTickAt === null
          ? this.opts.tickMs
          : Math.min(Math.max(0, t - this.lastTickAt), 10 * this.opts.tickMs);
      this.lastTickAt = t;
      const ctx = { night: isNight(new Date(t)) };
      const outbox: Outbox = new Map();

      this.advanceFaults(t, ctx, outbox, result);
      this.startFaults(t, elapsed, ctx, outbox, result);
      this.routineReports(t, elapsed, ctx, outbox);

      try {
        await this.send(new Date(t), outbox, result);
      } catch (err) {
        // Memory already moved on; re-read the truth from the database on the next tick.
        this.loaded = false;
        throw err;
      }
      result.tickets = await this.calls.call(new Date(t), elapsed);
      return result;
    } finally {
      this.busy = false;
    }
  }

  private log(msg: string) {
    this.opts.log?.(msg);
  }

  /** Loads sensors (and their current state) on the first tick, and again when the registry changed. */
  private async ensureLoaded(t: number): Promise<void> {
    if (this.loaded && t - this.lastReloadCheck < RELOAD_CHECK_MS) return;
    const [shape] = await this.db.rows<{ n: number; m: number }>(
      sql`select count(*)::int as n, coalesce(max(id), 0)::int as m from sensors`,
    );
    this.lastReloadCheck = t;
    const key = `${shape.n}:${shape.m}`;
    if (this.loaded && key === this.loadedShape) return;

    const rows = await this.db.rows<{
      code: string;
      family: string;
      heartbeat: number;
      state: number | null;
      reported_ms: unknown;
      reading: string | null;
    }>(sql`
      select s.code, t.code as family, t.heartbeat_seconds as heartbeat, st.state,
             extract(epoch from st.reported_at) * 1000 as reported_ms,
             case when st.state in (1, 2) then st.reading::text end as reading
      from sensors s
      join sensor_types t on t.id = s.type_id
      left join sensor_state st on st.sensor_id = s.id
      order by s.id`);
    const byCode = new Map(SENSOR_FAMILIES.map((f) => [f.code as string, f]));
    const known = rows.filter((r) => byCode.has(r.family));
    // The watchdog judges silence by the stored heartbeat, so the schedule does too (one object per family).
    const cadenceOf = new Map<string, ReportCadence>();
    this.codes = new Array<string>(known.length);
    this.family = new Array<SensorFamilyFact>(known.length);
    this.cadence = new Array<ReportCadence>(known.length);
    this.faults = new Map();
    const lastReport = new Float64Array(known.length);
    known.forEach((r, i) => {
      const fam = byCode.get(r.family)!;
      let cadence = cadenceOf.get(fam.code);
      if (!cadence) {
        const heartbeatSeconds = Number(r.heartbeat) > 0 ? Number(r.heartbeat) : fam.heartbeatSeconds;
        cadence = { heartbeatSeconds, reportIntervalSeconds: fam.reportIntervalSeconds };
        cadenceOf.set(fam.code, cadence);
      }
      this.codes[i] = r.code;
      this.family[i] = fam;
      this.cadence[i] = cadence;
      lastReport[i] = r.reported_ms === null ? NaN : Number(r.reported_ms);
    });
    this.schedule = new ReportSchedule(this.cadence, lastReport, t, this.rnd);
    const ctx = { night: isNight(new Date(t)) };
    known.forEach((r, i) => {
      // Faults left by a previous run clear after a while like any other: the device keeps reporting what
      // it last reported (offline ones stay silent) until then.
      if (r.state === 1 || r.state === 2) {
        const stored = r.reading ? (JSON.parse(r.reading) as SensorReading) : null;
        this.faults.set(i, {
          kind: 'reading',
          severity: r.state,
          endsAt: t + this.duration(r.state),
          escalateAt: null,
          reading: stored ?? faultReading(this.family[i].code, r.state, this.rnd, ctx),
          nextReportAt: t + this.rnd.uniform(0, FAULT_REPORT_MS),
        });
      } else if (r.state === 3) {
        this.faults.set(i, {
          kind: 'silent',
          severity: 1,
          endsAt: t + this.silenceBeyondHeartbeat(),
          escalateAt: null,
          reading: null,
          nextReportAt: Infinity,
        });
      }
    });
    this.loaded = true;
    this.loadedShape = key;
    if (rows.length !== known.length) {
      this.log(`sim: ${rows.length - known.length} sensors of unknown families are left alone`);
    }
    if (this.schedule.overdue > 0) {
      this.log(`sim: ${this.schedule.overdue} devices are overdue and catch up over the next minutes`);
    }
    await this.calls.loadStreets();
  }

  /** Exponentially distributed fault duration, at least half a minute. */
  private duration(severity: 1 | 2): number {
    return Math.max(30_000, -Math.log(1 - this.rnd.next()) * MEAN_DURATION_S[severity] * 1000);
  }

  /** How long a silent device stays silent beyond its heartbeat, ms (exponential, at least a minute). */
  private silenceBeyondHeartbeat(): number {
    return Math.max(60_000, -Math.log(1 - this.rnd.next()) * MEAN_SILENCE_BEYOND_HEARTBEAT_S * 1000);
  }

  /** Clears faults that are over, escalates warnings whose time has come, repeats ongoing faults. */
  private advanceFaults(t: number, ctx: { night: boolean }, outbox: Outbox, result: TickResult) {
    for (const [i, f] of this.faults) {
      const fam = this.family[i];
      if (t >= f.endsAt) {
        // Repaired, or back in radio range: a healthy report, and routine reports from now on.
        this.faults.delete(i);
        outbox.set(i, normalReading(fam.code, this.rnd, ctx));
        this.schedule!.reported(i, t);
        result.faultsCleared++;
      } else if (f.kind === 'silent') {
        continue;
      } else if (f.escalateAt !== null && t >= f.escalateAt) {
        f.severity = 2;
        f.escalateAt = null;
        f.reading = faultReading(fam.code, 2, this.rnd, ctx);
        f.endsAt = Math.max(f.endsAt, t + this.duration(2));
        f.nextReportAt = t + FAULT_REPORT_MS;
        outbox.set(i, f.reading);
      } else if (t >= f.nextReportAt) {
        f.nextReportAt = t + FAULT_REPORT_MS;
        outbox.set(i, f.reading!);
      }
    }
  }

  /** Starts new faults and silences: Poisson numbers of candidates, faults thinned by family propensity. */
  private startFaults(
    t: number,
    elapsedMs: number,
    ctx: { night: boolean },
    outbox: Outbox,
    result: TickResult,
  ) {
    const n = this.codes.length;
    if (n === 0) return;
    const free = (i: number) => !this.faults.has(i) && !outbox.has(i);

    const expected = ((n * this.faultRate * MAX_PROPENSITY) / 3_600_000) * elapsedMs;
    for (let k = this.rnd.poisson(expected); k > 0; k--) {
      const i = this.rnd.int(0, n);
      const fam = this.family[i];
      if (!free(i) || !this.rnd.chance(FAULT_PROPENSITY[fam.code] / MAX_PROPENSITY)) continue;
      const severity = this.rnd.weighted(FAULT_SEVERITY_WEIGHTS) === 0 ? 1 : 2;
      const endsAt = t + this.duration(severity);
      const reading = faultReading(fam.code, severity, this.rnd, ctx);
      // Some warnings get worse before anybody fixes them.
      const escalateAt = severity === 1 && this.rnd.chance(0.2) ? t + (endsAt - t) / 2 : null;
      this.faults.set(i, {
        kind: 'reading',
        severity,
        endsAt,
        escalateAt,
        reading,
        nextReportAt: t + FAULT_REPORT_MS,
      });
      outbox.set(i, reading);
      result.faultsStarted++;
    }

    const silences = this.rnd.poisson(((n * this.silenceRate) / 3_600_000) * elapsedMs);
    for (let k = silences; k > 0; k--) {
      const i = this.rnd.int(0, n);
      if (!free(i)) continue;
      const heartbeatMs = this.cadence[i].heartbeatSeconds * 1000;
      this.faults.set(i, {
        kind: 'silent',
        severity: 1,
        endsAt: t + heartbeatMs + this.silenceBeyondHeartbeat(),
        escalateAt: null,
        reading: null,
        nextReportAt: Infinity,
      });
      result.silenced++;
    }
  }

  /** Healthy devices whose routine report is due send a normal reading, within the tick's quota. */
  private routineReports(t: number, elapsedMs: number, ctx: { night: boolean }, outbox: Outbox) {
    const schedule = this.schedule!;
    const quota = schedule.quota(t, elapsedMs);
    const due = schedule.due(t, quota, (i) => this.faults.has(i) || outbox.has(i));
    for (const i of due) outbox.set(i, normalReading(this.family[i].code, this.rnd, ctx));
  }

  /** Hands the tick's readings to ingest and waits until they are stored (backpressure included). */
  private async send(ts: Date, outbox: Outbox, result: TickResult): Promise<void> {
    if (outbox.size === 0) return;
    const items: IngestItem[] = [];
    const real = this.opts.realDevices;
    for (const [i, values] of outbox) {
      if (real?.has(this.codes[i])) continue;
      items.push({
        reading: {
          sensorCode: this.codes[i],
          family: this.family[i].code,
          ts,
          values: values as unknown as Record<string, unknown>,
        },
        envelope: { channel: 'mqtt', source: 'sim', payload: null, simulated: true },
      });
    }
    result.readings = items.length;
    if (items.length === 0) return;
    const outcomes = await this.opts.pipeline.submit(items);
    let firstRefusal: string | null = null;
    for (const o of outcomes) {
      if (o.status === 'accepted') result.stored++;
      else if (o.status === 'rejected') {
        result.rejected++;
        firstRefusal ??= `${o.reason}: ${o.detail}`;
      }
    }
    if (firstRefusal)
      this.log(`sim: ingest refused ${result.rejected} simulated readings, e.g. ${firstRefusal}`);
  }
}
