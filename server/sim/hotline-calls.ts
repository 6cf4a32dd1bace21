// Simulated 12345 hotline calls: Poisson arrivals over the elapsed time, placed at a random point of a
// street weighted by its area, with complaint text from hotline-text.ts, stored with their street and grid.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { STREETS } from '../domain/city-facts';
import { bbox, randomPointIn, type BBox, type PolygonGeometry } from '../domain/geo';
import { weightedPicker, type Random } from '../domain/random';
import { complaint } from './hotline-text';
import { expectedCallsPerHour } from '../domain/hotline-rhythm';

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

/** Intake channels of simulated calls: most people still phone 12345. */
const CHANNELS = ['phone', 'web', 'app'] as const;
const CHANNEL_WEIGHTS = [0.8, 0.12, 0.08];

interface TicketStreet {
  name: string;
  roads: readonly string[];
  geom: PolygonGeometry;
  box: BBox;
}

/** One simulated call as the intake path receives it. */
export interface SimulatedCall {
  receivedAt: Date;
  channel: 'phone' | 'web' | 'app';
  callerName: string;
  callerPhone: string;
  text: string;
  address: string;
  lon: number;
  lat: number;
}

export interface HotlineCallerOptions {
  /**
   * The intake path every real report takes (classification, placement, duplicates, case); when set,
   * simulated calls go through it instead of being stored as bare tickets.
   */
  intake?: (call: SimulatedCall) => Promise<{ ticketId: number; streetName: string | null }>;
  /** Mean calls per hour over a week (Poisson); each hour follows the day's rhythm (domain/hotline-rhythm). */
  callsPerHour: number;
  /** Told about every stored call, for the live ticker. */
  onTicket?: (t: SimulatedTicket) => void;
  log?: (msg: string) => void;
}

export class HotlineCaller {
  private streets: TicketStreet[] = [];
  private pickStreet: ((u: number) => number) | null = null;

  constructor(
    private readonly db: Database,
    private readonly rnd: Random,
    private readonly opts: HotlineCallerOptions,
  ) {}

  /** Reads the streets calls are placed in (again after a boundary import). */
  async loadStreets(): Promise<void> {
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

  /** Poisson hotline calls over the elapsed time, located in a street and stored with their areas. */
  async call(now: Date, elapsedMs: number): Promise<number> {
    // The configured rate is the week's mean; the hour of the day and the weekday shape it.
    const perHour = expectedCallsPerHour(now, this.opts.callsPerHour * 24);
    const count = this.rnd.poisson((perHour * elapsedMs) / 3_600_000);
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
    if (this.opts.intake) return this.callThroughIntake(calls, this.opts.intake);
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
        this.opts.log?.(`sim: onTicket failed: ${(err as Error).message}`);
      }
    }
    return rows.length;
  }

  private async callThroughIntake(
    calls: {
      received_at: string;
      channel: string;
      caller_name: string;
      caller_phone: string;
      text: string;
      address: string;
      lon: number;
      lat: number;
    }[],
    intake: NonNullable<HotlineCallerOptions['intake']>,
  ): Promise<number> {
    let stored = 0;
    for (const c of calls) {
      const receivedAt = new Date(c.received_at);
      try {
        const r = await intake({
          receivedAt,
          channel: c.channel as SimulatedCall['channel'],
          callerName: c.caller_name,
          callerPhone: c.caller_phone,
          text: c.text,
          address: c.address,
          lon: c.lon,
          lat: c.lat,
        });
        stored++;
        this.opts.onTicket?.({
          id: r.ticketId,
          receivedAt,
          streetName: r.streetName,
          summary: c.text.length > 40 ? `${c.text.slice(0, 40)}…` : c.text,
        });
      } catch (err) {
        this.opts.log?.(`sim: intake failed: ${(err as Error).message}`);
      }
    }
    return stored;
  }
}
