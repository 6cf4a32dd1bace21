// A sensor's alarm rules as officers see and change them: the family rules, the sensor's overrides and
// the rules ingest actually evaluates. A change is checked strictly, stored with an audit row, and the
// ingest cache forgets the sensor so its next reading is evaluated with the new rules.
import type { RuleOverridesRepository } from '../db/repositories/rule-overrides.repository';
import { checkRuleOverrides, sameOverrides } from '../domain/rule-overrides';
import { applyOverrides, type Rule } from '../domain/rules';
import { SENSOR_FAMILY_CODES, type SensorFamily } from '../domain/sensor-state';
import type { Logger } from '../log';
import type { RuleOverridesView, SensorRulesResponse } from '../../src/lib/api/rules';

/** A sensor's rules, as GET /api/sensors/:id/rules answers (without the caller's canEdit). */
export type SensorRules = Omit<SensorRulesResponse, 'canEdit'>;

/** Why a change was refused. */
export type OverrideRefusal =
  | { reason: 'not_found' }
  /** The sensor's family has no reading schema in this build, so ingest ignores it. */
  | { reason: 'unknown_family'; family: string }
  /** The body failed the check; `message` names the rule, the field and the problem. */
  | { reason: 'invalid'; path: string; message: string };

/** What the service is built from. */
export interface RuleOverrideServiceDeps {
  /** The overrides repository. */
  repo: Pick<RuleOverridesRepository, 'sensorRules' | 'replaceOverrides'>;
  /** The rule builder ingest uses (stored family rules or defaults, plus overrides): one source of truth. */
  buildRules: (
    family: SensorFamily,
    stored: readonly unknown[],
    overrides: Record<string, unknown> | null,
  ) => readonly Rule[];
  /** The ingest cache of this node: forgets a sensor's rules so the next reading reloads them. */
  sensors: { invalidate(codes: readonly string[]): void };
  /** Where changes are reported. */
  log: Logger;
}

/** A refusal as the service returns it. */
export type Refused = { ok: false } & OverrideRefusal;

const isFamily = (code: string): code is SensorFamily =>
  (SENSOR_FAMILY_CODES as readonly string[]).includes(code);

export function ruleOverrideService(deps: RuleOverrideServiceDeps) {
  const { repo, buildRules, sensors, log } = deps;

  async function view(sensorId: number): Promise<{ ok: true; rules: SensorRules } | Refused> {
    const stored = await repo.sensorRules(sensorId);
    if (!stored) return { ok: false, reason: 'not_found' };
    if (!isFamily(stored.family)) return { ok: false, reason: 'unknown_family', family: stored.family };
    const familyRules = buildRules(stored.family, stored.familyRules, null);
    // Ingest falls back to the family rules when stored overrides do not apply; say so instead of hiding it.
    let overridesError: string | null = null;
    if (stored.overrides) {
      try {
        applyOverrides(familyRules, stored.overrides);
      } catch (err) {
        overridesError = (err as Error).message;
      }
    }
    const rules: SensorRules = {
      sensorId,
      code: stored.code,
      family: stored.family,
      familyRules: [...familyRules],
      // As stored: when they do not fit the rules, overridesError says why and ingest ignores them.
      overrides: stored.overrides as RuleOverridesView | null,
      effective: [...buildRules(stored.family, stored.familyRules, stored.overrides)],
      overridesError,
      lastChange: stored.lastChange && {
        changedBy: stored.lastChange.changedBy,
        actorRole: stored.lastChange.actorRole,
        changedAt: stored.lastChange.changedAt.toISOString(),
      },
    };
    return { ok: true, rules };
  }

  return {
    /** The sensor's family rules, overrides and the effective rules ingest evaluates. */
    rules: view,

    /**
     * Replaces the sensor's overrides with `body` (null or {} clears them) for `actor` at `now`. Nothing is
     * stored unless the whole body passes the check. On success the sensor's next reading on this node is
     * evaluated with the new rules.
     */
    async replace(
      sensorId: number,
      body: unknown,
      actor: { id: number; role: string },
      now: Date,
    ): Promise<{ ok: true; rules: SensorRules } | Refused> {
      const stored = await repo.sensorRules(sensorId);
      if (!stored) return { ok: false, reason: 'not_found' };
      if (!isFamily(stored.family)) return { ok: false, reason: 'unknown_family', family: stored.family };
      const family = stored.family;
      const checked = checkRuleOverrides(family, buildRules(family, stored.familyRules, null), body);
      if (!checked.ok) return { ok: false, reason: 'invalid', path: checked.path, message: checked.message };
      const found = await repo.replaceOverrides(
        sensorId,
        checked.overrides,
        { userId: actor.id, role: actor.role, at: now },
        (before) => sameOverrides(before, checked.overrides),
      );
      if (!found) return { ok: false, reason: 'not_found' };
      sensors.invalidate([stored.code]);
      log.info('sensor rule overrides changed', {
        sensorId,
        code: stored.code,
        userId: actor.id,
        rules: checked.overrides ? Object.keys(checked.overrides) : [],
      });
      return view(sensorId);
    },
  };
}

export type RuleOverrideService = ReturnType<typeof ruleOverrideService>;
