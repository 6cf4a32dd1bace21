// Common problems (共性问题): groups hotline tickets that report one problem — same category, alike in wording,
// close in place and time — labels each group from its tickets, and finds sensor alarms that back it up.
// Pure: the clock is passed in.
import { OPEN_STATES } from './case-workflow';
import { haversineM, textSimilarity } from './duplicates';

const DAY_MS = 86_400_000;

/** Farthest two linked reports may be apart, in metres. */
export const PROBLEM_RADIUS_M = 300;
/**
 * Longest gap between two linked reports, in days. Long enough that a fault coming back every week chains
 * into one problem, short enough that a fixed problem that returns months later starts a new one.
 */
export const PROBLEM_GAP_DAYS = 14;
/**
 * Least text similarity (see duplicates.textSimilarity) for a link. On problems.fixture.ts precision is 1
 * from 0.27 up and recall falls from 0.92 above 0.28; the nearest different-problem pair scores 0.264.
 */
export const PROBLEM_MIN_SIMILARITY = 0.275;
/**
 * Least text similarity for two reports that name the same house number ("12号", "88弄", "5号楼") within
 * SAME_ADDRESS_RADIUS_M: callers describe one pothole in very different words, but the address agrees.
 */
export const SAME_ADDRESS_MIN_SIMILARITY = 0.15;
/** Farthest apart two reports naming the same house number count as one address, in metres. */
export const SAME_ADDRESS_RADIUS_M = 100;

/** A ticket as grouping sees it. */
export interface ProblemTicket {
  /** Ticket id. */
  id: number;
  /** What the caller said. */
  text: string;
  /** Category code. */
  category: string;
  /** WGS84 longitude. */
  lon: number;
  /** WGS84 latitude. */
  lat: number;
  /** When it came in. */
  at: Date;
  /** Street it was placed in. */
  streetId: number | null;
  /** That street's name. */
  streetName: string | null;
  /** The case it was turned into or linked to. */
  caseId: number | null;
  /** That case's code. */
  caseCode: string | null;
  /** That case's state. */
  caseState: string | null;
  /** The department holding that case. */
  departmentId: number | null;
}

/** Limits of a link; defaults: PROBLEM_RADIUS_M, PROBLEM_GAP_DAYS, PROBLEM_MIN_SIMILARITY, size 2. */
export interface ProblemOptions {
  /** Farthest two linked reports may be apart, in metres. */
  radiusM?: number;
  /** Longest time between two linked reports, in days. */
  gapDays?: number;
  /** Least text similarity of two linked reports. */
  minSimilarity?: number;
  /** Least text similarity of two linked reports naming the same house number close by. */
  sameAddressMinSimilarity?: number;
  /** Smallest group kept. */
  minSize?: number;
  /** Known place names (road names) the label prefers, e.g. from the city facts. */
  places?: readonly string[];
  /** Label topic per category code when the texts share no wording (e.g. the category's name). */
  topicOf?: (category: string) => string | undefined;
}

/** A responsible department and how many of the problem's cases it holds. */
export interface ProblemDepartmentShare {
  /** Department id. */
  id: number;
  /** Linked cases it holds. */
  cases: number;
}

/** A group of tickets reporting one problem. */
export interface Problem {
  /** Stable id: the smallest ticket id. */
  id: number;
  /** Category code of all its tickets. */
  category: string;
  /** Short label, "<place> · <what>". */
  label: string;
  /** Number of tickets. */
  size: number;
  /** First report. */
  firstAt: Date;
  /** Last report. */
  lastAt: Date;
  /** Street names, most reports first. */
  streets: string[];
  /** Distinct linked case codes, oldest report first. */
  caseCodes: string[];
  /** Departments of the linked cases, most cases first. */
  departments: ProblemDepartmentShare[];
  /** Share of distinct linked cases in an open state; null when no ticket has a case. */
  unresolvedShare: number | null;
  /** Tickets in the 7 days before `now`. */
  lastWeek: number;
  /** Tickets in the 7 days before that. */
  weekBefore: number;
  /** lastWeek − weekBefore: positive when the problem is getting worse. */
  growth: number;
  /** Ticket ids, oldest first. */
  ticketIds: number[];
  /** Positions of its tickets [lon, lat], oldest first (for evidence and the map). */
  points: [number, number][];
  /** Mean longitude of its tickets. */
  lon: number;
  /** Mean latitude of its tickets. */
  lat: number;
}

/** Disjoint sets with path halving and union by size. */
function unionFind(n: number) {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const size = new Int32Array(n).fill(1);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const union = (a: number, b: number) => {
    let ra = find(a);
    let rb = find(b);
    if (ra === rb) return;
    if (size[ra] < size[rb]) [ra, rb] = [rb, ra];
    parent[rb] = ra;
    size[ra] += size[rb];
  };
  return { find, union };
}

/**
 * Single-link grouping within each category: two tickets are linked when they are at most `radiusM`
 * apart, at most `gapDays` apart in time and at least `minSimilarity` alike in wording; a problem is a
 * connected group. Chaining is what lets a weekly recurring fault become one problem. Candidates come
 * from a grid of `radiusM` cells sorted by time, so 50,000 tickets never compare all pairs.
 */
export function groupProblems(
  tickets: readonly ProblemTicket[],
  now: Date,
  opts: ProblemOptions = {},
): Problem[] {
  const radiusM = opts.radiusM ?? PROBLEM_RADIUS_M;
  const gapMs = (opts.gapDays ?? PROBLEM_GAP_DAYS) * DAY_MS;
  const minSimilarity = opts.minSimilarity ?? PROBLEM_MIN_SIMILARITY;
  const sameAddressMin = opts.sameAddressMinSimilarity ?? SAME_ADDRESS_MIN_SIMILARITY;
  const minSize = opts.minSize ?? 2;
  if (tickets.length === 0) return [];

  // Cells of radiusM at the data's mean latitude: every partner is in the 3×3 cells around a ticket.
  const meanLat = tickets.reduce((s, t) => s + t.lat, 0) / tickets.length;
  const cellLat = radiusM / 111_320;
  const cellLon = radiusM / (111_320 * Math.max(0.1, Math.cos((meanLat * Math.PI) / 180)));
  const cellOf = (t: ProblemTicket) => [Math.floor(t.lon / cellLon), Math.floor(t.lat / cellLat)];
  const times = tickets.map((t) => t.at.getTime());
  const buckets = new Map<string, number[]>();
  tickets.forEach((t, i) => {
    const [x, y] = cellOf(t);
    const key = `${t.category}|${x}|${y}`;
    const list = buckets.get(key);
    if (list) list.push(i);
    else buckets.set(key, [i]);
  });
  for (const list of buckets.values()) list.sort((a, b) => times[a] - times[b] || a - b);

  const sets = unionFind(tickets.length);
  // Simulated and templated texts repeat: remember each pair of wordings once.
  const similarity = new Map<string, number>();
  const numbers = tickets.map((t) => houseNumbers(t.text));
  const alike = (i: number, j: number, distanceM: number) => {
    const a = tickets[i].text;
    const b = tickets[j].text;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    let s = similarity.get(key);
    if (s === undefined) {
      s = textSimilarity(a, b);
      similarity.set(key, s);
    }
    if (s >= minSimilarity) return true;
    return (
      s >= sameAddressMin &&
      distanceM <= SAME_ADDRESS_RADIUS_M &&
      numbers[i].some((n) => numbers[j].includes(n))
    );
  };
  tickets.forEach((t, i) => {
    const [x, y] = cellOf(t);
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++) {
        const list = buckets.get(`${t.category}|${x + dx}|${y + dy}`);
        if (!list) continue;
        // Only partners at or after this ticket (ties broken by index): each pair is looked at once.
        for (let k = firstAtOrAfter(list, times, times[i]); k < list.length; k++) {
          const j = list[k];
          if (times[j] - times[i] > gapMs) break;
          if (j === i || (times[j] === times[i] && j < i)) continue;
          if (sets.find(i) === sets.find(j)) continue;
          const u = tickets[j];
          const distanceM = haversineM(t.lon, t.lat, u.lon, u.lat);
          if (distanceM <= radiusM && alike(i, j, distanceM)) sets.union(i, j);
        }
      }
  });

  const groups = new Map<number, number[]>();
  tickets.forEach((_, i) => {
    const root = sets.find(i);
    const g = groups.get(root);
    if (g) g.push(i);
    else groups.set(root, [i]);
  });
  const out: Problem[] = [];
  for (const members of groups.values()) {
    if (members.length < minSize) continue;
    out.push(
      problemOf(
        members.map((i) => tickets[i]),
        now,
        opts,
      ),
    );
  }
  return out.sort((a, b) => b.size - a.size || a.id - b.id);
}

const HOUSE_NUMBER_RE = /\p{N}+(?:号楼|号|弄|栋|幢)/gu;

/** The house numbers a text names: "12号", "88弄", "5号楼". */
export function houseNumbers(text: string): string[] {
  return [...text.matchAll(HOUSE_NUMBER_RE)].map((m) => m[0]);
}

/** Index of the first entry of `list` (sorted by time) at or after `t`. */
function firstAtOrAfter(list: readonly number[], times: readonly number[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[list[mid]] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Values by how often they occur, most first (ties: first seen first). */
function byFrequency<T>(values: readonly T[]): { value: T; n: number }[] {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([value, n]) => ({ value, n })).sort((a, b) => b.n - a.n);
}

/** A problem from its tickets (one category). */
export function problemOf(members: readonly ProblemTicket[], now: Date, opts: ProblemOptions = {}): Problem {
  const ts = [...members].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  const cases = new Map<number, { code: string | null; state: string | null; departmentId: number | null }>();
  for (const t of ts)
    if (t.caseId !== null && !cases.has(t.caseId))
      cases.set(t.caseId, { code: t.caseCode, state: t.caseState, departmentId: t.departmentId });
  const caseList = [...cases.values()];
  const streets = byFrequency(ts.flatMap((t) => (t.streetName ? [t.streetName] : []))).map((s) => s.value);
  const category = ts[0].category;
  const { lastWeek, weekBefore } = weeklyCounts(
    ts.map((t) => t.at),
    now,
  );
  return {
    id: Math.min(...ts.map((t) => t.id)),
    category,
    label: labelOf(
      ts.map((t) => t.text),
      { places: opts.places, fallbackPlace: streets[0], fallbackTopic: opts.topicOf?.(category) },
    ),
    size: ts.length,
    firstAt: ts[0].at,
    lastAt: ts[ts.length - 1].at,
    streets,
    caseCodes: caseList.flatMap((c) => (c.code ? [c.code] : [])),
    departments: byFrequency(caseList.flatMap((c) => (c.departmentId === null ? [] : [c.departmentId]))).map(
      ({ value, n }) => ({ id: value, cases: n }),
    ),
    unresolvedShare: unresolvedShare(caseList.map((c) => c.state)),
    lastWeek,
    weekBefore,
    growth: lastWeek - weekBefore,
    ticketIds: ts.map((t) => t.id),
    points: ts.map((t) => [t.lon, t.lat]),
    lon: ts.reduce((s, t) => s + t.lon, 0) / ts.length,
    lat: ts.reduce((s, t) => s + t.lat, 0) / ts.length,
  };
}

/**
 * Reports in the 7 days before `now` (lastWeek) and in the 7 days before that (weekBefore). Growth is
 * their difference, a count people read at a glance ("+3 on last week"); a ratio would explode on
 * small numbers and be undefined for new problems.
 */
export function weeklyCounts(at: readonly Date[], now: Date): { lastWeek: number; weekBefore: number } {
  const n = now.getTime();
  let lastWeek = 0;
  let weekBefore = 0;
  for (const d of at) {
    const age = n - d.getTime();
    if (age < 0) continue;
    if (age < 7 * DAY_MS) lastWeek++;
    else if (age < 14 * DAY_MS) weekBefore++;
  }
  return { lastWeek, weekBefore };
}

/** Share of cases (one state per distinct case) still open; null without cases. */
export function unresolvedShare(states: readonly (string | null)[]): number | null {
  if (states.length === 0) return null;
  const open = states.filter((s) => s !== null && (OPEN_STATES as readonly string[]).includes(s)).length;
  return open / states.length;
}

// ---- Labels ---------------------------------------------------------------------------------------------

// Call-centre boilerplate and politeness that say nothing about the problem.
const FILLER_RE =
  /市民来电|来电反映|来电人|市民|您好|你好|谢谢|麻烦|希望|尽快|处理|解决|相关部门|反映|投诉|(?<![申邀])请|一下/g;
// House numbers, buildings, units: the place is named separately.
const NUMBER_RE = /\p{N}+\s*(?:号楼|号|弄|栋|幢|室|单元|楼|层|路|米|点|天|个)?/gu;
// Road and estate names: up to five characters before the suffix (the best-shared suffix is kept). "路灯",
// "路面", "马路", "道路" are not roads' names.
const ROAD_RE = /\p{sc=Han}{1,5}?(?:[中南北东西]路|(?<![走马道过沿一上水铁公])路)(?![灯面边])/gu;
const ESTATE_RE = /\p{sc=Han}{1,5}?(?:小区|新村|家园|花园|公寓|大厦)/gu;
// A name never runs across these: "我们小区", "排到小区" are no estates' names.
const NOT_IN_NAME_RE = /^.*[的了在又也都很还就是和有我们你他这那个到从把被往向去来口里上下]/u;
// Characters that make a phrase edge read badly ("又坏了" → "坏").
const EDGE_RE =
  /^[的了在又也都很还就是和有我们家住到从把被]+|[的了在又也都很还就是和有我们家住到从把被吗呢啊]+$/gu;
// Where-words say nothing about what is wrong: "门口" is shared by every report at one door.
const WHERE_RE =
  /门口|附近|旁边|楼下|楼上|对面|路口|里面|外面|上面|下面|隔壁|这里|那里|一直|已经|今天|晚上|白天/g;
const NOT_HAN_RE = /[^\p{sc=Han}a-z]+/gu;
const MAX_TOPIC = 8;

/** Where a label's parts come from when the texts do not say. */
export interface LabelOptions {
  /** Known place names (roads) to look for first. */
  places?: readonly string[];
  /** Place when no text names one (e.g. the street's name). */
  fallbackPlace?: string | null;
  /** Topic when the texts share no wording (e.g. the category's name). */
  fallbackTopic?: string;
}

/**
 * A short label for a group of complaints, "<place> · <what>": the place is the road or estate most texts
 * name (known places first), the topic the character n-gram (2–8 characters, address and filler removed)
 * with the best texts-containing-it × length. "阳曲路 · 下水道堵塞".
 */
export function labelOf(texts: readonly string[], opts: LabelOptions = {}): string {
  const place = placeOf(texts, opts.places ?? []) ?? opts.fallbackPlace ?? null;
  const topic = topicOf(texts, place) ?? opts.fallbackTopic ?? texts[0]?.slice(0, MAX_TOPIC) ?? '';
  return place ? `${place} · ${topic}` : topic;
}

/** Number of texts in which each string occurs (each text counted once). */
function documentFrequency(perText: readonly Iterable<string>[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const set of perText) for (const s of new Set(set)) df.set(s, (df.get(s) ?? 0) + 1);
  return df;
}

/** The place most texts name: a known one, else the longest road / estate name shared by the most texts. */
function placeOf(texts: readonly string[], known: readonly string[]): string | null {
  let best: { name: string; n: number } | null = null;
  for (const name of known) {
    const n = texts.filter((t) => t.includes(name)).length;
    if (n > 0 && (!best || n > best.n || (n === best.n && name.length > best.name.length)))
      best = { name, n };
  }
  if (best) return best.name;
  // With several texts a name must be in at least two of them (a third of them for larger groups).
  const need = texts.length === 1 ? 1 : Math.max(2, Math.ceil(texts.length / 3));
  for (const [re, suffix] of [
    [ROAD_RE, 1],
    [ESTATE_RE, 2],
  ] as const) {
    // Every suffix of a match is a candidate: "在阳曲路" also offers "阳曲路" and "曲路".
    const df = documentFrequency(
      texts.map((t) =>
        [...t.replace(FILLER_RE, ' ').matchAll(re)].flatMap((m) => {
          const name = m[0].replace(NOT_IN_NAME_RE, '');
          return Array.from({ length: Math.max(0, name.length - suffix - 1) }, (_, k) => name.slice(k));
        }),
      ),
    );
    const top = Math.max(0, ...df.values());
    if (top < need) continue;
    // The longest name at the top count; ties: first in the texts.
    const [name] = [...df].filter(([, n]) => n === top).sort((a, b) => b[0].length - a[0].length)[0];
    return name;
  }
  return null;
}

/** Character n-grams (2–MAX_TOPIC) of the phrases of a text, the place, filler and numbers removed. */
function topicGrams(text: string, place: string | null): string[] {
  let s = text.toLowerCase();
  if (place) s = s.split(place).join(' ');
  const grams: string[] = [];
  const cleaned = s.replace(FILLER_RE, ' ').replace(NUMBER_RE, ' ').replace(WHERE_RE, ' ');
  for (const part of cleaned.split(NOT_HAN_RE)) {
    const chars = Array.from(part);
    for (let i = 0; i < chars.length; i++)
      for (let n = 2; n <= MAX_TOPIC && i + n <= chars.length; n++)
        grams.push(chars.slice(i, i + n).join(''));
  }
  return grams;
}

/**
 * The best-shared wording of the texts: the n-gram with the highest texts-containing-it × length, joined
 * with a second one that shares no character, scores at least half as well and is in 60% of the texts
 * ("路灯" + "不亮"), in the order the texts say them. Null when no two texts share two characters.
 */
function topicOf(texts: readonly string[], place: string | null): string | null {
  const df = documentFrequency(texts.map((t) => topicGrams(t, place)));
  const need = texts.length === 1 ? 1 : 2;
  const scored = new Map<string, { score: number; n: number }>();
  for (const [raw, n] of df) {
    if (n < need) continue;
    const gram = raw.replace(EDGE_RE, '');
    const length = Array.from(gram).length;
    if (length < 2) continue;
    const score = n * length;
    const prev = scored.get(gram);
    if (!prev || score > prev.score) scored.set(gram, { score, n });
  }
  const ranked = [...scored].sort((a, b) => b[1].score - a[1].score || b[1].n - a[1].n);
  if (ranked.length === 0) return null;
  const [first, { score }] = ranked[0];
  // The second phrase must be in most texts too: "电梯" + "老人" from two of four reports reads wrong.
  const second = ranked.find(
    ([g, v]) =>
      v.score * 2 >= score &&
      v.n >= Math.max(need, Math.ceil(texts.length * 0.6)) &&
      Array.from(first).length + Array.from(g).length <= MAX_TOPIC &&
      !Array.from(g).some((ch) => first.includes(ch)),
  )?.[0];
  if (!second) return first;
  // Said first in most texts goes first.
  const before = texts.filter(
    (t) => t.includes(first) && t.includes(second) && t.indexOf(first) < t.indexOf(second),
  );
  const after = texts.filter(
    (t) => t.includes(first) && t.includes(second) && t.indexOf(second) < t.indexOf(first),
  );
  return before.length >= after.length ? first + second : second + first;
}

// ---- Sensor evidence ------------------------------------------------------------------------------------

/** Sensor families whose alarms can back up a problem of a category. */
export const FAMILIES_BY_CATEGORY: Readonly<Record<string, readonly string[]>> = {
  'utilities.manholes': ['manhole'],
  'construction.roads': ['manhole'],
  'construction.elevators': ['elevator'],
  'utilities.drainage': ['drain', 'manhole'],
  'city.street_lights': ['streetlight'],
  'utilities.gas': ['gas'],
  'safety.fire': ['hydrant', 'gas'],
};

/** Farthest an alarm may be from a report of the problem, in metres. */
export const EVIDENCE_RADIUS_M = 200;
/** How far before the first and after the last report an alarm may have opened, in days. */
export const EVIDENCE_MARGIN_DAYS = 7;

/** An alarm with its sensor's position, as evidence matching sees it. */
export interface EvidenceAlarm {
  /** Alarm id. */
  id: number;
  /** Sensor id. */
  sensorId: number;
  /** The sensor's code. */
  code: string;
  /** Sensor family (sensor_types.code). */
  family: string;
  /** Sensor longitude. */
  lon: number;
  /** Sensor latitude. */
  lat: number;
  /** When the alarm opened. */
  openedAt: Date;
  /** Rule that fired. */
  ruleId: string;
}

/** Alarms backing a problem up, nearest first, with their distance to its nearest report. */
export interface Evidence {
  /** Qualifying alarms with the distance to the nearest report, nearest first. */
  alarms: (EvidenceAlarm & { distanceM: number })[];
  /** Distinct sensors among them. */
  sensorCount: number;
}

/**
 * Alarms of the families related to the problem's category, within EVIDENCE_RADIUS_M of any of its
 * reports and opened within its time span ± EVIDENCE_MARGIN_DAYS; null when the category has no related
 * family (an absence of evidence is then meaningless).
 */
export function sensorEvidence(
  problem: Pick<Problem, 'category' | 'points' | 'firstAt' | 'lastAt'>,
  alarms: readonly EvidenceAlarm[],
  familiesByCategory: Readonly<Record<string, readonly string[]>> = FAMILIES_BY_CATEGORY,
): Evidence | null {
  const families = familiesByCategory[problem.category];
  if (!families?.length) return null;
  const from = problem.firstAt.getTime() - EVIDENCE_MARGIN_DAYS * DAY_MS;
  const to = problem.lastAt.getTime() + EVIDENCE_MARGIN_DAYS * DAY_MS;
  // A bounding box around the reports (200 m ≈ 0.0018° latitude; generous in longitude) skips far alarms.
  const pad = (EVIDENCE_RADIUS_M / 111_320) * 1.5;
  const lons = problem.points.map((p) => p[0]);
  const lats = problem.points.map((p) => p[1]);
  const box = {
    minLon: Math.min(...lons) - pad * 1.3,
    maxLon: Math.max(...lons) + pad * 1.3,
    minLat: Math.min(...lats) - pad,
    maxLat: Math.max(...lats) + pad,
  };
  const found: Evidence['alarms'] = [];
  for (const a of alarms) {
    if (!families.includes(a.family)) continue;
    const t = a.openedAt.getTime();
    if (t < from || t > to) continue;
    if (a.lon < box.minLon || a.lon > box.maxLon || a.lat < box.minLat || a.lat > box.maxLat) continue;
    let nearest = Infinity;
    for (const [lon, lat] of problem.points) nearest = Math.min(nearest, haversineM(lon, lat, a.lon, a.lat));
    if (nearest <= EVIDENCE_RADIUS_M) found.push({ ...a, distanceM: nearest });
  }
  found.sort((a, b) => a.distanceM - b.distanceM || a.id - b.id);
  return { alarms: found, sensorCount: new Set(found.map((a) => a.sensorId)).size };
}

// ---- Ordering -------------------------------------------------------------------------------------------

/**
 * Problems in panel order: by size, by growth or by unresolved share (unknown share last), each with size
 * and then id breaking ties so the order is stable.
 */
export function sortProblems<P extends Pick<Problem, 'id' | 'size' | 'growth' | 'unresolvedShare'>>(
  problems: readonly P[],
  by: 'size' | 'growth' | 'unresolved',
): P[] {
  const key = (p: P) =>
    by === 'size' ? p.size : by === 'growth' ? p.growth : (p.unresolvedShare ?? Number.NEGATIVE_INFINITY);
  return [...problems].sort((a, b) => key(b) - key(a) || b.size - a.size || a.id - b.id);
}
