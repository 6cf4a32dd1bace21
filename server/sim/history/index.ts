// The demo district's past, generated once right after the demo city (startApp): 13 months of hotline
// calls, cases through the real workflow with their events and holdings, sensor alarms and their cases,
// and score snapshots for every complete month. Idempotent through the meta key "demo_history";
// deterministic: the same seed and the same end instant give the same rows.
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../../db/client';
import { performanceRepository } from '../../db/repositories/performance.repository';
import { addMonths, monthBounds, monthOf } from '../../domain/kpis';
import type { WorkCalendar } from '../../domain/work-calendar';
import { performanceService } from '../../services/performance.service';
import { ensureSimActors } from '../sim-actors';
import { historyDays } from './calendar';
import { runPast, type StoryAnchor } from './generate';
import { readCity } from './city';
import { nextIds, writeHistory } from './writer';

/** The meta key that marks a generated history; its value records how. */
export const DEMO_HISTORY_META_KEY = 'demo_history';
/** Serialises concurrent generators on several nodes (the demo city's lock + 1). */
const HISTORY_LOCK = 727003;

export interface GenerateHistoryOptions {
  /** Days of history (0: none). */
  days: number;
  /** Mean hotline calls a day. */
  callsPerDay: number;
  seed: string;
  /** Where the history ends: the start instant. */
  end: Date;
  calendar: WorkCalendar;
  triageBelow: number;
  duplicateWindowDays: number;
  duplicateRadiusM: number;
  /** Replay's window (REPLAY_DAYS): the past's alarms within it also become sensor transitions. */
  replayDays?: number;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

/** What generateDemoHistory did. */
export interface GenerateHistoryResult {
  generated: boolean;
  tickets: number;
  cases: number;
  events: number;
  alarms: number;
  /** Cases still open (received … in progress) at the end. */
  openCases: number;
  /** Months whose score snapshots were stored. */
  months: string[];
  /** Steps the workflow refused (0 when the planner follows the rules). */
  refused: number;
  anchors: { topic: string; place: string; lon: number; lat: number; sensors: string[] }[];
  /** Wall time: simulating, writing, snapshots, milliseconds. */
  ms: { simulate: number; write: number; snapshots: number; total: number };
}

const NONE = (ms = 0): GenerateHistoryResult => ({
  generated: false,
  tickets: 0,
  cases: 0,
  events: 0,
  alarms: 0,
  openCases: 0,
  months: [],
  refused: 0,
  anchors: [],
  ms: { simulate: 0, write: 0, snapshots: 0, total: ms },
});

const OPEN = new Set(['received', 'dispatched', 'returned', 'signed', 'in_progress']);

/** Generates the past unless it exists (or `days` is 0). */
export async function generateDemoHistory(
  db: Database,
  o: GenerateHistoryOptions,
): Promise<GenerateHistoryResult> {
  const t0 = Date.now();
  if (!Number.isInteger(o.days) || o.days < 0)
    throw new Error(`days must be a whole number >= 0, got ${o.days}`);
  if (!(o.callsPerDay > 0)) throw new Error(`callsPerDay must be above 0, got ${o.callsPerDay}`);
  if (o.days === 0) return NONE();
  const log = o.log ?? (() => {});
  const [done] = await db.rows<{ key: string }>(
    sql`select key from meta where key = ${DEMO_HISTORY_META_KEY}`,
  );
  if (done) return NONE(Date.now() - t0);
  const actors = await ensureSimActors(db);
  let sim = 0;
  let wrote = 0;
  const result = await db.orm.transaction(async (t) => {
    const tx = t as unknown as Orm;
    await db.rows(sql`select pg_advisory_xact_lock(${HISTORY_LOCK})`, tx);
    const again = await db.rows<{ key: string }>(
      sql`select key from meta where key = ${DEMO_HISTORY_META_KEY}`,
      tx,
    );
    if (again.length) return null;
    const { city, sensors } = await readCity(db, tx);
    // No streets (no demo city): nowhere for the past to happen.
    if (city.streets.length === 0) return null;
    const ids = await nextIds(db, tx);
    const s0 = Date.now();
    const past = await runPast(city, sensors, actors, ids, o);
    sim = Date.now() - s0;
    log('history simulated', {
      tickets: past.tickets.length,
      cases: past.cases.length,
      events: past.events.length,
      ms: sim,
    });
    const w0 = Date.now();
    const replayFrom = o.replayDays ? new Date(o.end.getTime() - o.replayDays * 86_400_000) : null;
    await writeHistory(db, tx, past, log, replayFrom);
    const value = JSON.stringify({
      days: o.days,
      callsPerDay: o.callsPerDay,
      seed: o.seed,
      end: o.end.toISOString(),
      tickets: past.tickets.length,
      cases: past.cases.length,
    });
    await db.rows(
      sql`insert into meta (key, value, updated_at) values (${DEMO_HISTORY_META_KEY}, ${value}::jsonb, now())`,
      tx,
    );
    wrote = Date.now() - w0;
    log('history written', { ms: wrote });
    return past;
  });
  if (!result) return NONE(Date.now() - t0);
  const p0 = Date.now();
  const months = await storeSnapshots(db, o, historyDays(o.end, o.days, o.seed)[0].start);
  const snap = Date.now() - p0;
  return {
    generated: true,
    tickets: result.tickets.length,
    cases: result.cases.length,
    events: result.events.length,
    alarms: result.alarms.length,
    openCases: result.cases.filter((c) => OPEN.has(c.state)).length,
    months,
    refused: result.refused,
    anchors: result.anchors.map((a: StoryAnchor) => ({
      topic: a.story.topic,
      place: a.story.place,
      lon: a.lon,
      lat: a.lat,
      sensors: a.sensors.map((s) => s.code),
    })),
    ms: { simulate: sim, write: wrote, snapshots: snap, total: Date.now() - t0 },
  };
}

/** Score snapshots of every complete month of the history, through the performance service. */
async function storeSnapshots(db: Database, o: GenerateHistoryOptions, first: Date): Promise<string[]> {
  const complete: string[] = [];
  let m = monthOf(first);
  if (monthBounds(m).from < first.getTime()) m = addMonths(m, 1);
  for (; monthBounds(m).to <= o.end.getTime(); m = addMonths(m, 1)) complete.push(m);
  if (!complete.length) return [];
  const repo = performanceRepository(db);
  const perf = performanceService({ repo, calendar: o.calendar });
  const scheme = await perf.schemeOf(undefined);
  if (!scheme.ok || scheme.value.id === null) return [];
  const all = await perf.compute(complete, scheme.value, o.end);
  for (const m of complete)
    await repo.saveSnapshots(
      scheme.value.id,
      m,
      [...all.get(m)!].map(([departmentId, um]) => ({ departmentId, kpis: um.kpis, score: um.score })),
      o.end,
    );
  return complete;
}
