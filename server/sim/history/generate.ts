// The call generator and the clock of the past: day by day it draws the hotline's calls (rhythm of
// domain/hotline-rhythm, the calendar's seasons, holidays and rain, the topic mix of hotline-text), the
// planted stories and a few sensor alarms an hour, and runs them in time order through the REAL
// intakeService and caseService (on the recording repository) with `now` at each simulated instant;
// the planner then schedules each case's next step by its unit's profile. Nothing is written here.
import { STREETS } from '../../domain/city-facts';
import { SENSOR_ALARM_CATEGORY } from '../../domain/case-categories';
import { matchDuplicate } from '../../domain/duplicates';
import { randomPointIn, bbox, type BBox, type PolygonGeometry } from '../../domain/geo';
import { expectedCallsPerHour } from '../../domain/hotline-rhythm';
import { createRandom, weightedPicker, type Random } from '../../domain/random';
import type { WorkCalendar } from '../../domain/work-calendar';
import { alarmCaseText } from '../../domain/alarm-case-text';
import { alarmCaseCode } from '../../db/repositories/alarms.repository';
import { alarmCaseOpener } from '../../services/alarm-cases';
import { caseService, type CaseActor } from '../../services/case.service';
import { complaintClassifier } from '../../services/complaint-classifier';
import { intakeService } from '../../services/intake.service';
import { createLogger } from '../../log';
import { complaintIn, storyComplaint, type Complaint } from '../hotline-text';
import type { SimActors } from '../sim-actors';
import { behaviourAt } from '../unit-profiles';
import { historyDays, type HistoryDay } from './calendar';
import { caseStory, nextStep, type CaseStory, type PlannedStep } from './planner';
import { caseRecorder, metresBetween, type CaseRow, type CitySnapshot } from './recorder';
import { BACKGROUND_RULES, STORIES, storyDay, type StoryItem, type StoryPlace } from './stories';
import type { HistorySensor } from './city';
import type { AlarmRow } from './writer';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const CHANNELS = ['phone', 'web', 'app'] as const;
const CHANNEL_WEIGHTS = [0.8, 0.12, 0.08];
/** Sensor alarms an hour in the whole city besides the stories' (a few, not more). */
const BACKGROUND_ALARMS_PER_HOUR = 2;

/** What the past is made from. */
export interface PastOptions {
  /** Days of history before the end instant. */
  days: number;
  /** Mean hotline calls a day. */
  callsPerDay: number;
  seed: string;
  /** The history ends here (the start instant: the live simulator takes over). */
  end: Date;
  calendar: WorkCalendar;
  triageBelow: number;
  duplicateWindowDays: number;
  duplicateRadiusM: number;
}

/** Everything the past wrote, ready for the bulk writer. */
export type Past = ReturnType<typeof caseRecorder> & {
  alarms: AlarmRow[];
  /** Steps the workflow refused (should stay 0: the planner follows the rules). */
  refused: number;
  /** Where each story happened: its place point and sensors. */
  anchors: StoryAnchor[];
};

/** A story placed in the city. */
export interface StoryAnchor {
  story: StoryPlace;
  lon: number;
  lat: number;
  sensors: HistorySensor[];
}

type Item =
  | { kind: 'day'; day: HistoryDay }
  | { kind: 'call'; complaint: Complaint; lon: number; lat: number }
  | { kind: 'step'; caseId: number; step: PlannedStep }
  | { kind: 'alarmCase'; alarm: AlarmRow; sensor: HistorySensor };

/** A min-heap of items by time, then by insertion order (deterministic ties). */
class Timeline {
  private heap: { at: number; seq: number; item: Item }[] = [];
  private seq = 0;
  push(at: Date | number, item: Item): void {
    const h = this.heap;
    h.push({ at: typeof at === 'number' ? at : at.getTime(), seq: this.seq++, item });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(h[p], h[i])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  pop(): { at: number; item: Item } | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
  private less(a: { at: number; seq: number }, b: { at: number; seq: number }) {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

/** A point within `radiusM` of (lon, lat), kept inside the street when it has a shape. */
function near(rnd: Random, lon: number, lat: number, radiusM: number): [number, number] {
  const r = radiusM * Math.sqrt(rnd.next());
  const a = rnd.uniform(0, 2 * Math.PI);
  return [
    lon + (r * Math.cos(a)) / (111_320 * Math.cos((lat * Math.PI) / 180)),
    lat + (r * Math.sin(a)) / 111_320,
  ];
}

/** Places the stories: the family's sensors of the street nearest its centre, the place at the first. */
export function anchorStories(city: CitySnapshot, sensors: readonly HistorySensor[]): StoryAnchor[] {
  const out: StoryAnchor[] = [];
  for (const story of STORIES) {
    const street = city.streets.find((s) => s.code === story.streetCode);
    if (!street || street.lon === null || street.lat === null) continue;
    const own = story.family
      ? sensors
          .filter((s) => s.family === story.family && s.streetId === street.id)
          .map((s) => ({ s, d: metresBetween(s.lon, s.lat, street.lon!, street.lat!) }))
          .sort((a, b) => a.d - b.d || a.s.id - b.s.id)
          .slice(0, story.sensors)
          .map((x) => x.s)
      : [];
    const at = own[0] ?? { lon: street.lon, lat: street.lat };
    out.push({ story, lon: at.lon, lat: at.lat, sensors: own });
  }
  return out;
}

/** Runs the past in memory. */
export async function runPast(
  city: CitySnapshot,
  sensors: readonly HistorySensor[],
  actors: SimActors,
  firstIds: { caseId: number; ticketId: number; alarmId: number },
  o: PastOptions,
): Promise<Past> {
  const rnd = createRandom(`${o.seed}:history`);
  const rec = caseRecorder(city, firstIds, o.seed);
  const log = createLogger('silent');
  const cases = caseService({ cases: rec.repo, calendar: o.calendar, log });
  const intake = intakeService({
    cases: rec.repo,
    caseService: cases,
    classifier: complaintClassifier(),
    roadsByStreetCode: new Map(STREETS.map((st) => [st.code, st.roads])),
    matchDuplicate,
    triageBelow: o.triageBelow,
    duplicateWindowDays: o.duplicateWindowDays,
    duplicateRadiusM: o.duplicateRadiusM,
  });
  const openAlarmCase = alarmCaseOpener(cases);
  const system: CaseActor = { userId: null, role: 'system', departmentId: null };
  const deptCode = new Map(city.departments.map((d) => [d.id, d.code]));
  const roads = new Map(STREETS.map((s) => [s.code, s.roads]));
  const streets = city.streets.map((s) => ({
    ...s,
    box: bbox(s.geom) as BBox,
    roads: roads.get(s.code) ?? [],
  }));
  const pickStreet = weightedPicker(streets.map((s) => areaOf(s.geom, s.box)));
  const anchors = anchorStories(city, sensors);
  const anchorOf = new Map(anchors.map((a) => [a.story.topic, a]));
  const stories = new Map<number, CaseStory>();
  const alarms: AlarmRow[] = [];
  let nextAlarm = firstIds.alarmId;
  let refused = 0;
  const days = historyDays(o.end, o.days, o.seed);
  const t0 = days[0].start.getTime();
  const endMs = o.end.getTime();
  const monthOf = (at: Date) => (at.getTime() - t0) / (30.44 * DAY_MS);

  const timeline = new Timeline();
  for (const day of days) timeline.push(day.start, { kind: 'day', day });

  const officer = () => rnd.pick(actors.officers);
  const behaviour = (departmentId: number | null, at: Date) =>
    behaviourAt(deptCode.get(departmentId ?? -1) ?? 'none', o.seed, monthOf(at));
  const redispatchTo = (c: CaseRow) => {
    const office = officeOf(c);
    return office !== null && office !== c.departmentId ? office : cityManagement(c);
  };
  const officeOf = (c: CaseRow) =>
    c.streetId === null
      ? null
      : (city.departments.find((d) => d.kind === 'street_office' && d.streetId === c.streetId)?.id ?? null);
  const districtOf = (c: CaseRow) =>
    city.districts.find((d) => d.id === city.streets.find((s) => s.id === c.streetId)?.districtId) ??
    city.districts[0];
  const cityManagement = (c: CaseRow) =>
    city.departments.find((d) => d.code === `${districtOf(c).code}-city-management`)?.id ?? null;
  const triageTo = (c: CaseRow) => {
    const key = c.category ? (c.category === SENSOR_ALARM_CATEGORY ? 'service-center' : null) : null;
    if (key) return city.departments.find((d) => d.code === `${districtOf(c).code}-${key}`)?.id ?? null;
    return redispatchTo(c);
  };

  const schedule = (c: CaseRow, now: Date) => {
    const s = stories.get(c.id);
    if (!s) return;
    const step = nextStep(c, s, now, rnd, o.calendar, redispatchTo, triageTo);
    if (step)
      timeline.push(step.at.getTime() > now.getTime() ? step.at : now.getTime() + 60_000, {
        kind: 'step',
        caseId: c.id,
        step,
      });
  };

  const callIn = (street: (typeof streets)[number], day: HistoryDay, at: number) => {
    const [lon, lat] = randomPointIn(street.geom, rnd.next, street.box);
    const complaint = complaintIn(rnd, street.roads, {
      season: day.season,
      rain: day.rain,
      progress: (at - t0) / (endMs - t0),
    });
    timeline.push(at, { kind: 'call', complaint, lon, lat });
  };

  const storyItem = (it: StoryItem, day: HistoryDay) => {
    const a = anchorOf.get(it.story.topic);
    if (!a) return;
    if (it.kind === 'call') {
      const base = a.sensors.length > 1 ? rnd.pick(a.sensors) : a;
      const [lon, lat] = near(rnd, base.lon, base.lat, it.story.radiusM);
      const complaint = storyComplaint(rnd, it.story.topic, it.story.place, it.story.buildings);
      timeline.push(it.at, { kind: 'call', complaint, lon, lat });
      return;
    }
    const sensor = a.sensors[it.sensorIndex];
    if (sensor) alarmAt(sensor, it.at, it.ruleId, it.severity, it.value, it.clearAfterMin);
    void day;
  };

  const alarmAt = (
    sensor: HistorySensor,
    at: Date,
    ruleId: string,
    severity: 1 | 2,
    value: Record<string, unknown>,
    clearAfterMin: number,
  ) => {
    const cleared = new Date(at.getTime() + clearAfterMin * 60_000);
    if (cleared.getTime() >= endMs) return;
    const ackAt = new Date(at.getTime() + rnd.uniform(1.5, severity === 2 ? 8 : 25) * 60_000);
    const acked = ackAt < cleared;
    const lastSeen = new Date(Math.max(at.getTime(), cleared.getTime() - rnd.uniform(1, 10) * 60_000));
    const alarm: AlarmRow = {
      id: nextAlarm++,
      sensorId: sensor.id,
      ruleId,
      severity,
      openedAt: at,
      lastSeenAt: lastSeen,
      occurrences: 1 + Math.floor((lastSeen.getTime() - at.getTime()) / (10 * 60_000)),
      lastValue: value,
      acknowledgedBy: acked ? officer().userId : null,
      acknowledgedAt: acked ? ackAt : null,
      clearedAt: cleared,
      caseId: null,
    };
    alarms.push(alarm);
    // The alarm sweep opens a critical alarm's case within a sweep interval.
    if (severity === 2)
      timeline.push(at.getTime() + rnd.uniform(2, 15) * 1000, { kind: 'alarmCase', alarm, sensor });
  };

  const startDay = (day: HistoryDay) => {
    for (let h = 0; h < 24; h++) {
      const hourStart = day.start.getTime() + h * HOUR_MS;
      const n = rnd.poisson(
        expectedCallsPerHour(new Date(hourStart + HOUR_MS / 2), o.callsPerDay, day.volume),
      );
      for (let k = 0; k < n; k++)
        callIn(streets[pickStreet(rnd.next())], day, hourStart + rnd.next() * HOUR_MS);
      if (sensors.length) {
        const m = rnd.poisson(BACKGROUND_ALARMS_PER_HOUR);
        for (let k = 0; k < m; k++) {
          const sensor = sensors[rnd.int(0, sensors.length)];
          const rules = BACKGROUND_RULES[sensor.family];
          if (!rules) continue;
          const rule = rnd.pick(rules);
          const critical = rnd.chance(rule.critical);
          alarmAt(
            sensor,
            new Date(hourStart + rnd.next() * HOUR_MS),
            rule.ruleId,
            critical ? 2 : 1,
            rule.value(rnd, critical),
            rnd.uniform(15, 480),
          );
        }
      }
    }
    for (const it of storyDay(day, rnd)) storyItem(it, day);
  };

  for (let next = timeline.pop(); next && next.at < endMs; next = timeline.pop()) {
    const now = new Date(next.at);
    const item = next.item;
    if (item.kind === 'day') startDay(item.day);
    else if (item.kind === 'call') {
      const c = item.complaint;
      const r = await intake.submit(
        {
          channel: CHANNELS[rnd.weighted(CHANNEL_WEIGHTS)],
          callerName: c.callerName,
          callerPhone: c.callerPhone,
          text: c.text,
          address: c.address,
          lon: item.lon,
          lat: item.lat,
          category: null,
        },
        system,
        now,
        'hotline',
      );
      if (!r.duplicate) {
        const row = rec.caseById.get(r.caseId)!;
        stories.set(row.id, caseStory(rnd, behaviour(row.departmentId ?? officeOf(row), now), false));
        schedule(row, now);
      }
    } else if (item.kind === 'alarmCase') {
      const { alarm, sensor } = item;
      const text = alarmCaseText({
        alarmId: alarm.id,
        familyName: sensor.familyName,
        ruleId: alarm.ruleId,
        sensorCode: sensor.code,
        critical: true,
      });
      const created = await openAlarmCase(
        {
          code: alarmCaseCode(alarm.id, now),
          title: text.title,
          description: text.description,
          priority: 1,
          streetId: sensor.streetId,
          gridCellId: sensor.gridCellId,
          sensorId: sensor.id,
          lon: sensor.lon,
          lat: sensor.lat,
          departmentId: sensor.departmentId,
          note: text.note,
          systemText: text.text,
        },
        now,
        undefined as never,
      );
      alarm.caseId = created.id;
      const row = rec.caseById.get(created.id)!;
      stories.set(row.id, caseStory(rnd, behaviour(row.departmentId, now), true));
      schedule(row, now);
    } else {
      const row = rec.caseById.get(item.caseId)!;
      const s = item.step;
      const actor =
        s.by === 'officer'
          ? officer()
          : row.departmentId === null
            ? undefined
            : actors.staffByDepartment.get(row.departmentId);
      if (!actor) continue;
      const r = await cases.act(row.code, s.cmd, actor, now);
      if (!r.ok) refused++;
      else schedule(row, now);
    }
  }
  return Object.assign(rec, { alarms, refused, anchors });
}

/** A street's weight for placing calls: its bounding box area (calls follow where people live). */
function areaOf(_geom: PolygonGeometry, box: BBox): number {
  return Math.max(1e-9, (box.maxLon - box.minLon) * (box.maxLat - box.minLat));
}
