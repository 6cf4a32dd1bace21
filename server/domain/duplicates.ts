// Repeat reports: decides whether a new complaint describes a problem an open case nearby already covers,
// from the category, the distance, the age of the case and how alike the two texts read. Pure functions.

/** Below this text similarity two complaints are treated as different problems (measured in the spec). */
export const DUPLICATE_MIN_SIMILARITY = 0.3;

const DEFAULT_RADIUS_M = 150;
const DEFAULT_WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;
const EARTH_RADIUS_M = 6_371_008.8;

// Politeness and call-centre boilerplate that every complaint shares and that says nothing about the problem.
const FILLER = [
  '市民来电',
  '来电反映',
  '来电人',
  '您好',
  '你好',
  '谢谢',
  '麻烦',
  '希望',
  '尽快',
  '处理',
  '解决',
  '相关部门',
  '反映',
  '投诉',
];
// "请" alone is filler, but not inside 申请 (apply) or 邀请 (invite).
const FILLER_RE = new RegExp(`${FILLER.join('|')}|(?<![申邀])请`, 'g');
// Address parts: two reports within the radius name the same road and estate whatever their problem, so
// similarity is averaged over the full text and the text without them.
const ADDRESS_RES = [
  /\p{N}+(?:号楼|号|弄|栋|幢|室|单元|楼|路)/gu,
  /\p{sc=Han}{2,3}?(?:[中南北东西]路|(?<![走马道过沿一上水铁公])路|小区|新村|家园|苑|花园|大厦|广场|公寓|街道|镇)/gu,
];
// Everything that is not a letter or a digit: punctuation (CJK and ASCII), symbols and whitespace.
const NOT_WORD_RE = /[^\p{L}\p{N}]+/gu;
// A house number or a time reads the same whatever its value ("12号" ≈ "15号" for wording, not for place).
const DIGITS_RE = /\p{N}+/gu;

/** The text's phrases (split at punctuation), without filler, digits collapsed; optionally without addresses. */
function phrases(text: string, withoutAddress: boolean): string[] {
  let t = text.toLowerCase().replace(FILLER_RE, ' ');
  if (withoutAddress) for (const re of ADDRESS_RES) t = t.replace(re, ' ');
  return t.replace(NOT_WORD_RE, ' ').replace(DIGITS_RE, '0').split(' ').filter(Boolean);
}

/** Character unigram (half weight) and bigram counts of phrases; bigrams never span a phrase boundary. */
function grams(parts: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of parts) {
    const chars = Array.from(part);
    for (const ch of chars) out.set(ch, (out.get(ch) ?? 0) + 0.5);
    for (let i = 0; i + 1 < chars.length; i++) {
      const g = chars[i] + chars[i + 1];
      out.set(g, (out.get(g) ?? 0) + 1);
    }
  }
  return out;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let dot = 0;
  for (const [g, n] of a) dot += n * (b.get(g) ?? 0);
  if (dot === 0) return 0;
  let na = 0;
  let nb = 0;
  for (const n of a.values()) na += n * n;
  for (const n of b.values()) nb += n * n;
  return Math.min(1, dot / Math.sqrt(na * nb));
}

/**
 * How alike two complaint texts read, 0 (nothing shared) to 1 (same wording): the mean of the character
 * n-gram cosine similarity with and without address parts.
 */
export function textSimilarity(a: string, b: string): number {
  const full = cosine(grams(phrases(a, false)), grams(phrases(b, false)));
  const problem = cosine(grams(phrases(a, true)), grams(phrases(b, true)));
  return (full + problem) / 2;
}

/** Great-circle distance in metres between two WGS84 points. */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A new report as duplicate matching sees it. */
export interface DuplicateReport {
  /** What the caller said. */
  text: string;
  /** Category code the report was given. */
  category: string;
  /** WGS84 longitude. */
  lon: number;
  /** WGS84 latitude. */
  lat: number;
  /** When the report came in. */
  at: Date;
}

/** An open case the report might repeat. */
export interface DuplicateCase {
  /** Case id. */
  id: number;
  /** Case code shown to people. */
  code: string;
  /** Category code of the case, null when unclassified (never matched). */
  category: string | null;
  /** Description (or title) of the case. */
  text: string;
  /** WGS84 longitude. */
  lon: number;
  /** WGS84 latitude. */
  lat: number;
  /** When the case was opened. */
  createdAt: Date;
}

/** Limits of a match; defaults: 150 m, 7 days, DUPLICATE_MIN_SIMILARITY. */
export interface DuplicateOptions {
  /** Farthest a repeat may be from the case, in metres. */
  radiusM?: number;
  /** Oldest case a report may repeat, in days before the report. */
  windowDays?: number;
  /** Least text similarity for a match. */
  minSimilarity?: number;
}

/**
 * The case a report repeats, or null: same category, within the radius, opened within the window before
 * the report, and text at least `minSimilarity` alike. The most similar wins; on a tie, the nearest.
 */
export function matchDuplicate<C extends DuplicateCase>(
  report: DuplicateReport,
  candidates: readonly C[],
  opts: DuplicateOptions = {},
): C | null {
  const radiusM = opts.radiusM ?? DEFAULT_RADIUS_M;
  const windowMs = (opts.windowDays ?? DEFAULT_WINDOW_DAYS) * DAY_MS;
  const minSimilarity = opts.minSimilarity ?? DUPLICATE_MIN_SIMILARITY;
  const at = report.at.getTime();
  let best: C | null = null;
  let bestSimilarity = -1;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c.category === null || c.category !== report.category) continue;
    const age = at - c.createdAt.getTime();
    if (age < 0 || age > windowMs) continue;
    const distance = haversineM(report.lon, report.lat, c.lon, c.lat);
    if (distance > radiusM) continue;
    const similarity = textSimilarity(report.text, c.text);
    if (similarity < minSimilarity) continue;
    if (similarity > bestSimilarity || (similarity === bestSimilarity && distance < bestDistance)) {
      best = c;
      bestSimilarity = similarity;
      bestDistance = distance;
    }
  }
  return best;
}
