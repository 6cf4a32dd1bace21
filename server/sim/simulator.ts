// The live demo: every tick some sensors develop faults, old faults clear, devices drop offline and
// return, healthy devices send heartbeats, and citizens call the 12345 hotline. Fault bookkeeping lives
// in memory (a demo process); the database gets one UPDATE per tick and the hotline tickets.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { SENSOR_FAMILIES, STREETS, type SensorFamilyFact } from '../domain/city-facts';
import { bbox, randomPointIn, type BBox, type PolygonGeometry } from '../domain/geo';
import { createRandom, weightedPicker, type Random } from '../domain/random';
import { classifyReading, faultReading, normalReading, type SensorReading } from '../domain/sensor-state';
import { pgArray } from '../db/pg-array';
import { complaint } from './hotline-text';

/** A hotline ticket the simulator created, as the live ticker shows it (no personal data). */
export interface SimulatedTicket {
  /** hotline_tickets.id. */
  id: number;
  /** When the call came in. */
  receivedAt: Date;
  /** Chinese name of the street the call is located in, null when outside every street. */
  streetName: string | null;
  /** The first characters of the complaint. */
  summary: string;
}

/** Options of the simulator. */
export interface SimulatorOptions {
  /** Milliseconds between ticks when started with start(). */
  tickMs: number;
  /** Mean hotline calls per hour (Poisson). */
  callsPerHour: number;
  /** Seed of the simulation's random stream. */
  seed: string;
  /** Called for each ticket after it is stored. */
  onTicket?: (t: SimulatedTicket) => void;
  /** Progress and error messages. */
  log?: (msg: string) => void;
  /** New faults per sensor per hour, before the family's propensity (default 0.25). */
  faultsPerSensorHour?: number;
  /** At most this many rows go to sensor_readings per tick (default 300). */
  maxReadingsPerTick?: number;
  /** At most this many heartbeat reports per tick; the rest wait for the next tick (default 5,000). */
  maxReportsPerTick?: number;
}

/** What one tick did. */
export interface TickResult {
  /** Sensors whose state changed. */
  changed: number;
  /** Sensors that sent a reading (changes and heartbeats). */
  reported: number;
  /** Rows appended to sensor_readings. */
  readings: number;
  /** Hotline tickets created. */
  tickets: number;
}

/** An ongoing fault of one sensor. */
interface Fault {
  /** 1 warning, 2 alarm, 3 offline. */
  state: 1 | 2 | 3;
  /** When it clears, ms since epoch. */
  endsAt: number;
  /** When a warning turns into an alarm (a rising water level, a growing leak), if it does. */
  escalateAt: number | null;
  /** The faulty reading the device keeps sending; null while offline. */
  reading: SensorReading | null;
}

/** One row of the tick's UPDATE. */
interface Change {
  state: number;
  /** New reading; null keeps the stored one (an offline device sends nothing). */
  reading: SensorReading | null;
  /** The device reported now (reported_at moves). */
  reported: boolean;
  /** The state changed: always worth a history row. */
  stateChanged: boolean;
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

/** Mean fault durations, seconds: warnings get fixed or clear sooner than alarms. */
const MEAN_DURATION_S = { 1: 240, 2: 480, 3: 360 } as const;

/** Share of new faults by kind. */
const FAULT_MIX = [
  { state: 1 as const, weight: 0.6 },
  { state: 2 as const, weight: 0.25 },
  { state: 3 as const, weight: 0.15 },
];

/** Intake channels of simulated calls: most people still phone 12345. */
const CHANNELS = ['phone', 'web', 'app'] as const;
const CHANNEL_WEIGHTS = [0.8, 0.12, 0.08];

/** Devices overdue at start-up report within this window instead of all at once. */
const CATCH_UP_MS = 60_000;

/** How often the simulator checks whether sensors were added or removed. */
const RELOAD_CHECK_MS = 60_000;

/** Whether Shanghai (UTC+8) is between dusk and dawn: street lights are on. */
function isNight(now: Date): boolean {
  const hour = (now.getUTCHours() + 8) % 24;
  return hour >= 18 || hour < 6;
}

interface TicketStreet {
  name: string;
  roads: readonly string[];
  geom: PolygonGeometry;
  box: BBox;
}

export class Simulator {
  private readonly rnd: Random;
  private readonly faultRate: number;
  private readonly maxReadings: number;
  private readonly maxReports: number;
  // Parallel arrays, one slot per sensor, loaded from the database on the first tick.
  private ids = new Int32Array(0);
  private family: SensorFamilyFact[] = [];
  private nextReport = new Float64Array(0);
  private faults = new Map<number, Fault>();
  private reportCursor = 0;
  private loaded = false;
  private loadedShape = '';
  private lastReloadCheck = 0;
  private lastTickAt: number | null = null;
  private streets: TicketStreet[] = [];
  private pickStreet: ((u: number) => number) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<void> | null = null;
  private running = false;

  constructor(
    private readonly db: Database,
    private readonly opts: SimulatorOptions,
  ) {
    if (!(opts.tickMs > 0)) throw new Error(`tickMs must be > 0, got ${opts.tickMs}`);
    if (!(opts.callsPerHour >= 0)) throw new Error(`callsPerHour must be >= 0, got ${opts.callsPerHour}`);
    this.rnd = createRandom(`sim:${opts.seed}`);
    this.faultRate = opts.faultsPerSensorHour ?? 0.25;
    this.maxReadings = opts.maxReadingsPerTick ?? 300;
    this.maxReports = opts.maxReportsPerTick ?? 5000;
  }

  /** Ticks every tickMs until stop(); a failing tick is logged and the next one runs as planned. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      const started = Date.now();
      this.inFlight = this.tick(new Date())
        .then((r) => {
          if (r.changed || r.tickets) {
            this.log(`sim: ${r.changed} changed, ${r.reported} reported, ${r.tickets} tickets`);
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

  /** Stops ticking and waits for the tick in progress, so the database can close safely afterwards. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** Advances the simulation to `now`. Public so tests can drive time; throws on database errors. */
  async tick(now: Date): Promise<TickResult> {
    const t = now.getTime();
    await this.ensureLoaded(t);
    const elapsed =
      this.lastTickAt === null
        ? this.opts.tickMs
        : Math.min(Math.max(0, t - this.lastTickAt), 10 * this.opts.tickMs);
    this.lastTickAt = t;
    const ctx = { night: isNight(now) };
    const changes = new Map<number, Change>();

    this.advanceFaults(t, ctx, changes);
    this.startFaults(t, elapsed, ctx, changes);
    this.heartbeats(t, ctx, changes);

    let readings = 0;
    try {
      readings = await this.write(now, changes);
    } catch (err) {
      // Memory already moved on; re-read the truth from the database on the next tick.
      this.loaded = false;
      throw err;
    }
    const tickets = await this.hotlineCalls(now, elapsed);
    let changed = 0;
    for (const c of changes.values()) if (c.stateChanged) changed++;
    return { changed, reported: [...changes.values()].filter((c) => c.reported).length, readings, tickets };
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
      id: number;
      family: string;
      state: number | null;
      reported_ms: unknown;
    }>(sql`
      select s.id, t.code as family, st.state, extract(epoch from st.reported_at) * 1000 as reported_ms
      from sensors s
      join sensor_types t on t.id = s.type_id
      left join sensor_state st on st.sensor_id = s.id
      order by s.id`);
    const byCode = new Map(SENSOR_FAMILIES.map((f) => [f.code as string, f]));
    const known = rows.filter((r) => byCode.has(r.family));
    this.ids = new Int32Array(known.length);
    this.family = new Array(known.length);
    this.nextReport = new Float64Array(known.length);
    this.faults = new Map();
    this.reportCursor = 0;
    const ctx = { night: isNight(new Date(t)) };
    known.forEach((r, i) => {
      const fam = byCode.get(r.family)!;
      this.ids[i] = r.id;
      this.family[i] = fam;
      const interval = fam.reportIntervalSeconds * 1000;
      const reported = r.reported_ms === null ? null : Number(r.reported_ms);
      // Spread first reports over the interval so 500,000 devices do not report in one wave.
      this.nextReport[i] =
        reported === null || t - reported > interval
          ? t + this.rnd.uniform(0, CATCH_UP_MS)
          : reported + interval * this.rnd.uniform(0.5, 1);
      // Faults left by a previous run (or another writer) clear after a while like any other.
      const state = r.state ?? 0;
      if (state === 1 || state === 2 || state === 3) {
        this.faults.set(i, {
          state,
          endsAt: t + this.duration(state),
          escalateAt: null,
          reading: state === 3 ? null : faultReading(fam.code, state, this.rnd, ctx),
        });
      }
    });
    this.loaded = true;
    this.loadedShape = key;
    if (rows.length !== known.length) {
      this.log(`sim: ${rows.length - known.length} sensors of unknown families are left alone`);
    }
    await this.loadStreets();
  }

  private async loadStreets(): Promise<void> {
    const rows = await this.db.rows<{ code: string; name: string; area: number; geojson: string }>(sql`
      select code, name, coalesce(area_km2, ST_Area(geom::geography) / 1e6) as area, ST_AsGeoJSON(geom) as geojson
      from streets where geom is not null order by id`);
    const roads = new Map(STREETS.map((s) => [s.code, s.roads]));
    this.streets = rows.map((r) => {
      const geom = JSON.parse(r.geojson) as PolygonGeometry;
      return { name: r.name, roads: roads.get(r.code) ?? [], geom, box: bbox(geom) };
    });
    this.pickStreet = rows.length ? weightedPicker(rows.map((r) => Number(r.area))) : null;
  }

  /** Exponentially distributed fault duration, at least half a minute. */
  private duration(state: 1 | 2 | 3): number {
    return Math.max(30_000, -Math.log(1 - this.rnd.next()) * MEAN_DURATION_S[state] * 1000);
  }

  /** Clears faults that are over and escalates warnings whose time has come. */
  private advanceFaults(t: number, ctx: { night: boolean }, changes: Map<number, Change>) {
    for (const [i, f] of this.faults) {
      const fam = this.family[i];
      if (t >= f.endsAt) {
        this.faults.delete(i);
        changes.set(i, {
          state: 0,
          reading: normalReading(fam.code, this.rnd, ctx),
          reported: true,
          stateChanged: true,
        });
        this.nextReport[i] = t + fam.reportIntervalSeconds * 1000 * this.rnd.uniform(0.9, 1.1);
      } else if (f.escalateAt !== null && t >= f.escalateAt) {
        f.state = 2;
        f.escalateAt = null;
        f.reading = faultReading(fam.code, 2, this.rnd, ctx);
        f.endsAt = Math.max(f.endsAt, t + this.duration(2));
        changes.set(i, { state: 2, reading: f.reading, reported: true, stateChanged: true });
      }
    }
  }

  /** Starts new faults: a Poisson number of candidates, thinned by each family's propensity. */
  private startFaults(t: number, elapsedMs: number, ctx: { night: boolean }, changes: Map<number, Change>) {
    const n = this.ids.length;
    if (n === 0) return;
    const expected = ((n * this.faultRate * MAX_PROPENSITY) / 3_600_000) * elapsedMs;
    const candidates = this.rnd.poisson(expected);
    for (let k = 0; k < candidates; k++) {
      const i = this.rnd.int(0, n);
      const fam = this.family[i];
      if (this.faults.has(i) || changes.has(i)) continue;
      if (!this.rnd.chance(FAULT_PROPENSITY[fam.code] / MAX_PROPENSITY)) continue;
      const state = FAULT_MIX[this.rnd.weighted(FAULT_MIX.map((m) => m.weight))].state;
      const endsAt = t + this.duration(state);
      if (state === 3) {
        this.faults.set(i, { state, endsAt, escalateAt: null, reading: null });
        changes.set(i, { state: 3, reading: null, reported: false, stateChanged: true });
        continue;
      }
      const reading = faultReading(fam.code, state, this.rnd, ctx);
      // Some warnings get worse before anybody fixes them.
      const escalateAt = state === 1 && this.rnd.chance(0.2) ? t + (endsAt - t) / 2 : null;
      this.faults.set(i, { state, endsAt, escalateAt, reading });
      changes.set(i, {
        state: classifyReading(fam.code, reading),
        reading,
        reported: true,
        stateChanged: true,
      });
    }
  }

  /** Devices whose report is due send their current reading (state unchanged), a bounded number per tick. */
  private heartbeats(t: number, ctx: { night: boolean }, changes: Map<number, Change>) {
    const n = this.ids.length;
    let sent = 0;
    let scanned = 0;
    // Scan from where the last tick stopped so that, under a backlog, every device gets its turn.
    for (
      let i = this.reportCursor;
      scanned < n && sent < this.maxReports;
      scanned++, i = i + 1 === n ? 0 : i + 1
    ) {
      this.reportCursor = i;
      if (this.nextReport[i] > t || changes.has(i)) continue;
      const fam = this.family[i];
      this.nextReport[i] = t + fam.reportIntervalSeconds * 1000 * this.rnd.uniform(0.9, 1.1);
      const fault = this.faults.get(i);
      if (fault?.state === 3) continue; // silent while offline
      const reading = fault?.reading ?? normalReading(fam.code, this.rnd, ctx);
      changes.set(i, { state: fault?.state ?? 0, reading, reported: true, stateChanged: false });
      sent++;
    }
  }

  /**
   * One statement: updates sensor_state for every changed or reporting sensor and appends history rows
   * for state changes first, then heartbeats, up to the cap. Returns the history rows written.
   */
  private async write(now: Date, changes: Map<number, Change>): Promise<number> {
    if (changes.size === 0) return 0;
    const ids: number[] = [];
    const states: number[] = [];
    const readings: (string | null)[] = [];
    const reported: boolean[] = [];
    const keep: boolean[] = [];
    let kept = 0;
    const ordered = [...changes].sort((a, b) => Number(b[1].stateChanged) - Number(a[1].stateChanged));
    for (const [i, c] of ordered) {
      ids.push(this.ids[i]);
      states.push(c.state);
      readings.push(c.reading ? JSON.stringify(c.reading) : null);
      reported.push(c.reported);
      const k = c.reported && kept < this.maxReadings;
      if (k) kept++;
      keep.push(k);
    }
    const nowIso = now.toISOString();
    await this.db.orm.execute(sql`
      with u as (
        select * from unnest(${pgArray(ids)}::int[], ${pgArray(states)}::int[], ${pgArray(readings)}::text[],
                             ${pgArray(reported)}::bool[], ${pgArray(keep)}::bool[])
          as u(id, state, reading, reported, keep)
      ),
      upd as (
        update sensor_state s set
          state = u.state::smallint,
          reading = coalesce(u.reading::jsonb, s.reading),
          reported_at = case when u.reported then ${nowIso}::timestamptz else s.reported_at end
        from u
        where s.sensor_id = u.id
        returning s.sensor_id, s.state, s.reading
      )
      insert into sensor_readings (sensor_id, ts, reading, state)
      select upd.sensor_id, ${nowIso}::timestamptz, upd.reading, upd.state
      from upd join u on u.id = upd.sensor_id
      where u.keep and upd.reading is not null`);
    return kept;
  }

  /** Poisson hotline calls over the elapsed time, located in a street and stored with their areas. */
  private async hotlineCalls(now: Date, elapsedMs: number): Promise<number> {
    const count = this.rnd.poisson((this.opts.callsPerHour * elapsedMs) / 3_600_000);
    if (count === 0 || !this.pickStreet) return 0;
    const calls = [];
    for (let k = 0; k < count; k++) {
      const street = this.streets[this.pickStreet(this.rnd.next())];
      const [lon, lat] = randomPointIn(street.geom, this.rnd.next, street.box);
      const c = complaint(this.rnd, street.roads);
      calls.push({
        received_at: new Date(now.getTime() - this.rnd.uniform(0, elapsedMs)).toISOString(),
        channel: CHANNELS[this.rnd.weighted(CHANNEL_WEIGHTS)],
        caller_name: c.callerName,
        caller_phone: c.callerPhone,
        text: c.text,
        address: c.address,
        lon,
        lat,
      });
    }
    calls.sort((a, b) => a.received_at.localeCompare(b.received_at));
    const rows = await this.db.rows<{
      id: number;
      received_at: Date | string;
      street_name: string | null;
      text: string;
    }>(sql`
      with x as (
        select x.*, ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326) as p, row_number() over () as n
        from json_to_recordset(${JSON.stringify(calls)}::json)
          as x(received_at timestamptz, channel text, caller_name text, caller_phone text, text text,
               address text, lon float8, lat float8)
      ),
      ins as (
        insert into hotline_tickets
          (received_at, channel, caller_name, caller_phone, text, address, geom, street_id, grid_cell_id, source)
        select received_at, channel, caller_name, caller_phone, text, address, p,
               (select s.id from streets s where ST_Covers(s.geom, x.p) order by s.id limit 1),
               (select c.id from grid_cells c where ST_Covers(c.geom, x.p) order by c.id limit 1),
               'sim'
        from x order by n
        returning id, received_at, street_id, text
      )
      select ins.id, ins.received_at, s.name as street_name, ins.text
      from ins left join streets s on s.id = ins.street_id
      order by ins.id`);
    for (const r of rows) {
      try {
        this.opts.onTicket?.({
          id: r.id,
          receivedAt: new Date(r.received_at),
          streetName: r.street_name,
          summary: r.text.length > 40 ? `${r.text.slice(0, 40)}…` : r.text,
        });
      } catch (err) {
        this.log(`sim: onTicket failed: ${(err as Error).message}`);
      }
    }
    return rows.length;
  }
}
