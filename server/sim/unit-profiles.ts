// How each demo unit (department or street office) works: how fast it signs, how much of the allowed time
// it uses, how often it returns, asks for extensions, misses deadlines, and how citizens rate it — and how
// that drifts month by month (some units improve, some slip, one is always late). The history generator
// and the live desk workers both act on these profiles, so the past and the present tell one story.
// Pure and deterministic: the same unit code and seed always give the same profile.
import { createRandom } from '../domain/random';

/** A unit's habits at one moment (see behaviourAt). Shares are 0–1; times in working hours. */
export interface UnitBehaviour {
  /** Mean working hours from dispatch to signing (the signing limit is a few working hours). */
  signDelayHours: number;
  /** Share of cases signed after the signing deadline. */
  lateSignShare: number;
  /** Mean share of the allowed resolution time the unit uses for a case resolved on time. */
  handlingShare: number;
  /** Share of cases resolved after the deadline. */
  lateResolveShare: number;
  /** Share of dispatched cases the unit returns to the service center. */
  returnShare: number;
  /** Of the returns, the share the service center judges unjustified (the case comes back to the unit). */
  unjustifiedReturnShare: number;
  /** Share of cases for which it asks for an extension. */
  extensionShare: number;
  /** Of the extension requests, the share approved. */
  extensionApprovedShare: number;
  /** Rating mix at call-back: satisfied, partly, unsatisfied (sum 1). */
  ratings: readonly [number, number, number];
}

/** A unit's profile: a baseline and a monthly drift. */
export interface UnitProfile {
  /** The department code it belongs to. */
  code: string;
  /** "steady", "improving", "slipping" or "chronically_late": the story the demo tells of it. */
  kind: 'steady' | 'improving' | 'slipping' | 'chronically_late';
  /** Its habits at month 0 (the first month of history). */
  base: UnitBehaviour;
  /** Change per month: positive is better (habits move towards good by this share of the way). */
  drift: number;
}

/** The unit the demo shows as chronically late (an old-housing bureau with more cases than hands). */
export const CHRONICALLY_LATE_UNIT = 'jingan-housing';

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** The best and worst habits a unit can drift between. */
const GOOD: UnitBehaviour = {
  signDelayHours: 0.4,
  lateSignShare: 0.01,
  handlingShare: 0.35,
  lateResolveShare: 0.01,
  returnShare: 0.01,
  unjustifiedReturnShare: 0.1,
  extensionShare: 0.02,
  extensionApprovedShare: 0.9,
  ratings: [0.9, 0.08, 0.02],
};
const BAD: UnitBehaviour = {
  signDelayHours: 3.5,
  lateSignShare: 0.3,
  handlingShare: 0.85,
  lateResolveShare: 0.3,
  returnShare: 0.12,
  unjustifiedReturnShare: 0.6,
  extensionShare: 0.2,
  extensionApprovedShare: 0.5,
  ratings: [0.55, 0.25, 0.2],
};

function mix(t: number): UnitBehaviour {
  // t = 0 is GOOD, t = 1 is BAD.
  const l = (a: number, b: number) => a + (b - a) * t;
  const sat = l(GOOD.ratings[0], BAD.ratings[0]);
  const unsat = l(GOOD.ratings[2], BAD.ratings[2]);
  return {
    signDelayHours: l(GOOD.signDelayHours, BAD.signDelayHours),
    lateSignShare: l(GOOD.lateSignShare, BAD.lateSignShare),
    handlingShare: l(GOOD.handlingShare, BAD.handlingShare),
    lateResolveShare: l(GOOD.lateResolveShare, BAD.lateResolveShare),
    returnShare: l(GOOD.returnShare, BAD.returnShare),
    unjustifiedReturnShare: l(GOOD.unjustifiedReturnShare, BAD.unjustifiedReturnShare),
    extensionShare: l(GOOD.extensionShare, BAD.extensionShare),
    extensionApprovedShare: l(GOOD.extensionApprovedShare, BAD.extensionApprovedShare),
    ratings: [sat, 1 - sat - unsat, unsat],
  };
}

/** Where a unit stands between good (0) and bad (1), and its drift, drawn from its code and the seed. */
function standing(code: string, seed: string): { t: number; drift: number; kind: UnitProfile['kind'] } {
  if (code === CHRONICALLY_LATE_UNIT) return { t: 0.92, drift: 0, kind: 'chronically_late' };
  const rnd = createRandom(`${seed}:unit:${code}`);
  const t = clamp01(rnd.uniform(0.05, 0.7));
  const u = rnd.next();
  if (u < 0.2) return { t: clamp01(t + 0.15), drift: rnd.uniform(0.025, 0.05), kind: 'improving' };
  if (u < 0.4) return { t: clamp01(t - 0.1), drift: -rnd.uniform(0.025, 0.05), kind: 'slipping' };
  return { t, drift: rnd.uniform(-0.008, 0.008), kind: 'steady' };
}

/** The profile of one unit. */
export function unitProfile(code: string, seed: string): UnitProfile {
  const s = standing(code, seed);
  return { code, kind: s.kind, base: mix(s.t), drift: s.drift };
}

/**
 * A unit's habits `month` months after the first month of history (fractions allowed), with a small
 * month-to-month wobble so no two months are alike. The live city uses the month it is in.
 */
export function behaviourAt(code: string, seed: string, month: number): UnitBehaviour {
  const s = standing(code, seed);
  const wobble = createRandom(`${seed}:unit:${code}:month:${Math.floor(month)}`).uniform(-0.06, 0.06);
  return mix(clamp01(s.t - s.drift * month + (s.kind === 'chronically_late' ? 0 : wobble)));
}
