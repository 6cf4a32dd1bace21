// The demo's departments at work: simulated duty officers acknowledge alarms, triage, dispatch, decide
// returns and extensions, call back and record ratings; each unit's simulated desk worker signs, handles,
// returns, asks for extensions and resolves on its unit's profile (unit-profiles.ts). Every action goes
// through the real case and alarm services as the simulated user (sim-actors.ts), so the state machine,
// deadlines, events, holdings and live pushes are the real ones. The plan of each case comes from the same
// planner as the history's (history/planner.ts), so the live backlog behaves like the past.
import type { DeskCase, DeskDepartment, DeskRepository } from '../db/repositories/desk.repository';
import { SENSOR_ALARM_CATEGORY } from '../domain/case-categories';
import { createRandom, hashSeed, type Random } from '../domain/random';
import type { WorkCalendar } from '../domain/work-calendar';
import type { AlarmService } from '../services/alarm.service';
import type { CaseService } from '../services/case.service';
import { caseStory, nextStep, type CaseStory, type PlannedStep } from './history/planner';
import type { SimActors } from './sim-actors';
import { behaviourAt } from './unit-profiles';

export interface DeskWorkersOptions {
  desk: DeskRepository;
  cases: Pick<CaseService, 'act'>;
  alarms: Pick<AlarmService, 'acknowledge'>;
  actors: SimActors;
  calendar: WorkCalendar;
  seed: string;
  /** The month index of `now` in the units' drift (months since the history began); 12 by default. */
  monthOf?: (now: Date) => number;
  /** Milliseconds between rounds when started with start(). */
  tickMs: number;
  /** Most actions in one round (a backlog is worked off over several rounds, as people would). */
  maxActionsPerRound?: number;
  /** The clock (tests pass an accelerated one). */
  now?: () => Date;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

/** What one round did. */
export interface DeskRound {
  /** Case actions taken (accepted by the case service). */
  acted: number;
  /** Actions the service refused (someone else acted first): the case is planned again. */
  refused: number;
  /** Alarms acknowledged. */
  acknowledged: number;
}

/** Minutes a duty officer takes to acknowledge an alarm: long enough that the wall shows open alarms. */
const ACK_MIN = { min: 2, max: 9 };

interface Plan {
  version: number;
  state: string;
  step: PlannedStep | null;
}

export class DeskWorkers {
  private readonly stories = new Map<number, CaseStory>();
  private readonly plans = new Map<number, Plan>();
  private readonly ackAt = new Map<number, number>();
  private departments: DeskDepartment[] | null = null;
  private streetDistrict = new Map<number, string>();
  private readonly rnd: Random;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private inFlight: Promise<unknown> | null = null;

  constructor(private readonly o: DeskWorkersOptions) {
    this.rnd = createRandom(`${o.seed}:desk`);
  }

  private now(): Date {
    return this.o.now ? this.o.now() : new Date();
  }

  /** One round: acknowledge due alarms, then take every case step that is due. */
  async round(): Promise<DeskRound> {
    const now = this.now();
    const result: DeskRound = { acted: 0, refused: 0, acknowledged: 0 };
    const budget = this.o.maxActionsPerRound ?? 40;
    if (!this.departments) {
      this.departments = await this.o.desk.departments();
      this.streetDistrict = await this.o.desk.streetDistricts();
    }
    await this.acknowledgeAlarms(now, result);

    const active = await this.o.desk.activeCases(5000);
    const seen = new Set<number>();
    for (const c of active) {
      seen.add(c.id);
      let plan = this.plans.get(c.id);
      if (!plan || plan.version !== c.version || plan.state !== c.state) {
        plan = { version: c.version, state: c.state, step: this.plan(c, now) };
        this.plans.set(c.id, plan);
      }
      if (!plan.step || plan.step.at > now || result.acted + result.refused >= budget) continue;
      const actor =
        plan.step.by === 'officer'
          ? this.o.actors.officers[hashSeed(`${c.id}:${c.version}`) % this.o.actors.officers.length]
          : c.departmentId === null
            ? undefined
            : this.o.actors.staffByDepartment.get(c.departmentId);
      if (!actor) {
        plan.step = null;
        continue;
      }
      const r = await this.o.cases.act(c.code, plan.step.cmd, actor, now, c.version);
      if (r.ok) result.acted++;
      else result.refused++;
      this.plans.delete(c.id); // planned again from the case as it now stands
    }
    for (const id of this.plans.keys())
      if (!seen.has(id)) {
        this.plans.delete(id);
        this.stories.delete(id);
      }
    return result;
  }

  private plan(c: DeskCase, now: Date): PlannedStep | null {
    let story = this.stories.get(c.id);
    const sensor = c.source === 'sensor';
    if (!story) {
      const code = this.departments?.find((d) => d.id === c.departmentId)?.code ?? 'none';
      const month = this.o.monthOf ? this.o.monthOf(now) : 12;
      story = caseStory(
        createRandom(`${this.o.seed}:case:${c.id}`),
        behaviourAt(code, this.o.seed, month),
        sensor,
      );
      this.stories.set(c.id, story);
    }
    return nextStep(
      c,
      story,
      now,
      this.rnd,
      this.o.calendar,
      (x) => this.redispatchTo(x),
      (x) => this.triageTo(x),
    );
  }

  private districtOf(c: DeskCase): string {
    return (c.streetId !== null ? this.streetDistrict.get(c.streetId) : undefined) ?? 'xuhui';
  }

  /** A justified return goes to the street office, or (from the street office) to city management. */
  private redispatchTo(c: DeskCase): number | null {
    const deps = this.departments ?? [];
    const office = deps.find((d) => d.kind === 'street_office' && d.streetId === c.streetId)?.id ?? null;
    if (office !== null && office !== c.departmentId) return office;
    return deps.find((d) => d.code === `${this.districtOf(c)}-city-management`)?.id ?? null;
  }

  /** The triage queue: sensor cases without an owner go to the service center, others as returns do. */
  private triageTo(c: DeskCase): number | null {
    if (c.category === SENSOR_ALARM_CATEGORY)
      return (
        (this.departments ?? []).find((d) => d.code === `${this.districtOf(c)}-service-center`)?.id ?? null
      );
    return this.redispatchTo(c);
  }

  private async acknowledgeAlarms(now: Date, result: DeskRound): Promise<void> {
    const open = await this.o.desk.unacknowledgedAlarms(200);
    const live = new Set(open.map((a) => a.id));
    for (const id of this.ackAt.keys()) if (!live.has(id)) this.ackAt.delete(id);
    for (const a of open) {
      let at = this.ackAt.get(a.id);
      if (at === undefined) {
        const minutes = createRandom(`${this.o.seed}:ack:${a.id}`).uniform(ACK_MIN.min, ACK_MIN.max);
        at = Math.max(a.openedAt.getTime() + minutes * 60_000, now.getTime() - 1);
        // An alarm older than the delay (e.g. raised while the desk was closed) is picked up now.
        if (a.openedAt.getTime() + minutes * 60_000 < now.getTime()) at = now.getTime();
        this.ackAt.set(a.id, at);
      }
      if (at > now.getTime()) continue;
      const officer = this.o.actors.officers[a.id % this.o.actors.officers.length];
      const r = await this.o.alarms.acknowledge(a.id, { id: officer.userId! }, now);
      this.ackAt.delete(a.id);
      if (r.ok) result.acknowledged++;
    }
  }

  /** Runs a round every tickMs until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = () => {
      if (!this.running) return;
      this.inFlight = this.round()
        .then((r) => {
          if (r.acted || r.acknowledged) this.o.log?.('desk workers', { ...r });
        })
        .catch((err: Error) => this.o.log?.('desk workers round failed', { error: err.message }))
        .finally(() => {
          this.inFlight = null;
          if (this.running) this.timer = setTimeout(loop, this.o.tickMs);
        });
    };
    this.timer = setTimeout(loop, this.o.tickMs);
  }

  /** Stops after the round in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }
}
