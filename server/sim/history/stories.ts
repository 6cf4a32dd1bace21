// The demo's planted stories: realities the real hot-spot, common-problem and forecast code finds in the
// past, not looked-up ids. Places are from domain/city-facts.ts:
//   - 寿昌坊, an old compound on 寿昌路 in 康健新村街道 (xh-kangjian): its old elevator fails every week
//     (elevator alarms on the compound's elevator sensor, citizens' 电梯 complaints from the compound);
//   - 虹梅路 in 虹梅路街道 (xh-hongmei): manhole covers along it keep tilting (manhole.tilt alarms on the
//     manhole sensors nearest the street's centre, complaints about 井盖翘起);
//   - 衡山路 in 天平路街道 (xh-tianping): the bar street, noise complaints in the evening and at night,
//     stronger on Friday and Saturday nights;
//   - 江场西路 in 彭浦镇 (ja-pengpu): a low-lying block that floods after rain (drain.level_high alarms
//     on its drain sensors, waterlogging complaints on rain days);
//   - 康定路菜市场, a market on 康定路 in 曹家渡街道 (ja-caojiadu): food-safety reports in summer.
// Pure: the schedule of one day from the seed's stream.
import type { Random } from '../../domain/random';
import type { StoryTopic } from '../hotline-text';
import type { HistoryDay } from './calendar';

const HOUR_MS = 3_600_000;

/** One planted story: where, what citizens report, and which sensors fire. */
export interface StoryPlace {
  topic: StoryTopic;
  /** Street code (city-facts). */
  streetCode: string;
  /** The name citizens use: a compound, a road, a market. */
  place: string;
  /** Sensor family whose sensors near the place fire, or null. */
  family: 'elevator' | 'manhole' | 'drain' | null;
  /** How many of the family's sensors nearest the place take part. */
  sensors: number;
  /** Radius in metres the complaints scatter around the place. */
  radiusM: number;
  /** Buildings named in the complaints (elevator story). */
  buildings: readonly number[];
}

export const STORIES: readonly StoryPlace[] = [
  {
    topic: 'elevator',
    streetCode: 'xh-kangjian',
    place: '寿昌坊',
    family: 'elevator',
    sensors: 1,
    radiusM: 40,
    buildings: [3, 5],
  },
  {
    topic: 'manhole',
    streetCode: 'xh-hongmei',
    place: '虹梅路',
    family: 'manhole',
    sensors: 6,
    radiusM: 60,
    buildings: [],
  },
  {
    topic: 'noise',
    streetCode: 'xh-tianping',
    place: '衡山路',
    family: null,
    sensors: 0,
    radiusM: 120,
    buildings: [],
  },
  {
    topic: 'flood',
    streetCode: 'ja-pengpu',
    place: '江场西路',
    family: 'drain',
    sensors: 3,
    radiusM: 100,
    buildings: [],
  },
  {
    topic: 'food',
    streetCode: 'ja-caojiadu',
    place: '康定路菜市场',
    family: null,
    sensors: 0,
    radiusM: 30,
    buildings: [],
  },
];

/** A planted happening: a citizen's report, or an alarm on the story's k-th sensor. */
export type StoryItem =
  | { kind: 'call'; at: Date; story: StoryPlace }
  | {
      kind: 'alarm';
      at: Date;
      story: StoryPlace;
      sensorIndex: number;
      ruleId: string;
      severity: 1 | 2;
      value: Record<string, number | boolean>;
      /** Minutes until the reading is back to normal. */
      clearAfterMin: number;
    };

const at = (day: HistoryDay, hour: number) => new Date(day.start.getTime() + hour * HOUR_MS);

/** Calls following an alarm by up to `spreadH` hours. */
function callsAfter(rnd: Random, story: StoryPlace, from: Date, n: number, spreadH: number): StoryItem[] {
  return Array.from({ length: n }, () => ({
    kind: 'call' as const,
    at: new Date(from.getTime() + rnd.uniform(0.2, spreadH) * HOUR_MS),
    story,
  }));
}

/** What the stories bring on one day (items may spill into the next morning). */
export function storyDay(day: HistoryDay, rnd: Random): StoryItem[] {
  const out: StoryItem[] = [];
  for (const story of STORIES) {
    switch (story.topic) {
      case 'elevator': {
        // About once a week, sometimes twice: a fault, now and then somebody trapped.
        if (!rnd.chance(1.3 / 7)) break;
        const t = at(day, rnd.uniform(6.5, 22));
        const u = rnd.next();
        const [ruleId, severity, value] =
          u < 0.2
            ? (['elevator.trapped', 2, { trapped: true }] as const)
            : u < 0.35
              ? (['elevator.door_fault', 1, { door_fault: true }] as const)
              : (['elevator.fault', 1, { fault_code: rnd.int(11, 48) }] as const);
        out.push({
          kind: 'alarm',
          at: t,
          story,
          sensorIndex: 0,
          ruleId,
          severity,
          value,
          clearAfterMin: rnd.uniform(40, 600),
        });
        out.push(...callsAfter(rnd, story, t, rnd.int(1, 4), 8));
        break;
      }
      case 'manhole': {
        if (rnd.chance(0.3)) {
          const t = at(day, rnd.uniform(0, 24));
          const critical = rnd.chance(0.3);
          const tilt = Math.round((critical ? rnd.uniform(15.5, 24) : rnd.uniform(5.5, 14)) * 10) / 10;
          out.push({
            kind: 'alarm',
            at: t,
            story,
            sensorIndex: rnd.int(0, story.sensors),
            ruleId: 'manhole.tilt',
            severity: critical ? 2 : 1,
            value: { tilt_deg: tilt },
            clearAfterMin: rnd.uniform(60, 1440),
          });
          out.push(...callsAfter(rnd, story, t, rnd.int(1, 3), 10));
        }
        // Passers-by report covers that rock without waiting for a sensor.
        if (rnd.chance(0.25)) out.push({ kind: 'call', at: at(day, rnd.uniform(7, 21)), story });
        break;
      }
      case 'noise': {
        // Evenings and nights, Friday and Saturday nights the loudest.
        const weekend = day.weekday === 5 || day.weekday === 6;
        // Loud enough all year for a significant 7-day hot-spot against the district's background (about 24
        // reports a week in winter, when fewer people sit outside).
        const n = rnd.poisson((weekend ? 8 : 2.6) * (day.season === 'winter' ? 0.85 : 1));
        for (let i = 0; i < n; i++)
          out.push({ kind: 'call', at: at(day, 20 + (Math.abs(rnd.normal(0, 2.2)) % 7)), story });
        break;
      }
      case 'flood': {
        if (day.rain === 'none') break;
        const storm = day.rain === 'storm';
        const t = at(day, rnd.uniform(8, 20));
        for (let k = 0; k < story.sensors; k++) {
          if (!storm && rnd.chance(0.5)) continue;
          const level = Math.round(storm ? rnd.uniform(222, 280) : rnd.uniform(182, 215));
          out.push({
            kind: 'alarm',
            at: new Date(t.getTime() + rnd.uniform(0, 1.5) * HOUR_MS),
            story,
            sensorIndex: k,
            ruleId: 'drain.level_high',
            severity: level >= 220 ? 2 : 1,
            value: { level_cm: level },
            clearAfterMin: rnd.uniform(90, storm ? 720 : 300),
          });
        }
        out.push(...callsAfter(rnd, story, t, rnd.poisson(storm ? 12 : 3), 9));
        break;
      }
      case 'food': {
        const n = rnd.poisson(day.season === 'summer' ? 0.9 : 0.05);
        for (let i = 0; i < n; i++) out.push({ kind: 'call', at: at(day, rnd.uniform(7, 20)), story });
        break;
      }
    }
  }
  return out;
}

/** A background alarm rule per family: the rule, its severity, a firing reading, how long it lasts. */
export const BACKGROUND_RULES: Readonly<
  Record<
    string,
    readonly {
      ruleId: string;
      critical: number;
      value: (rnd: Random, critical: boolean) => Record<string, number | boolean>;
    }[]
  >
> = {
  manhole: [
    {
      ruleId: 'manhole.tilt',
      critical: 0.15,
      value: (r, c) => ({ tilt_deg: c ? 16 + r.int(0, 8) : 6 + r.int(0, 8) }),
    },
    { ruleId: 'manhole.open', critical: 1, value: () => ({ open: true }) },
    { ruleId: 'manhole.battery', critical: 0, value: (r) => ({ battery_pct: r.int(5, 15) }) },
  ],
  hydrant: [
    { ruleId: 'hydrant.leak', critical: 0, value: () => ({ leak: true }) },
    {
      ruleId: 'hydrant.low_pressure',
      critical: 0.2,
      value: (r, c) => ({ pressure_mpa: c ? 0.05 : 0.12 + r.uniform(0, 0.02) }),
    },
  ],
  elevator: [
    { ruleId: 'elevator.fault', critical: 0, value: (r) => ({ fault_code: r.int(11, 48) }) },
    { ruleId: 'elevator.door_fault', critical: 0, value: () => ({ door_fault: true }) },
    { ruleId: 'elevator.trapped', critical: 1, value: () => ({ trapped: true }) },
  ],
  drain: [
    {
      ruleId: 'drain.level_high',
      critical: 0.2,
      value: (r, c) => ({ level_cm: c ? 225 + r.int(0, 30) : 182 + r.int(0, 30) }),
    },
  ],
  streetlight: [
    { ruleId: 'streetlight.fault', critical: 0, value: () => ({ fault: true }) },
    { ruleId: 'streetlight.lamp_out', critical: 0, value: () => ({ lamp_on: true, current_a: 0.02 }) },
  ],
  gas: [{ ruleId: 'gas.smoke', critical: 1, value: () => ({ smoke: true }) }],
};
