// The sensor registry in memory: device code → SensorInfo, loaded in bulk at start (500k sensors in a
// few seconds) so ingest resolves codes without a query per message. Codes it does not know are looked up
// in the database at most once per refresh interval, so a flood of garbage codes cannot hammer it.
import type { IngestRepository, SensorRegistryRow } from '../db/repositories/ingest.repository';
import type { SensorInfo } from '../domain/ingest-contract';
import { SENSOR_FAMILY_CODES, type SensorFamily } from '../domain/sensor-state';

/** Builds a sensor's effective rules from its family's stored rules and its own overrides. */
export type RuleBuilder = (
  family: SensorFamily,
  familyRules: readonly unknown[],
  overrides: Record<string, unknown> | null,
) => readonly unknown[];

/** Options of the cache. */
export interface SensorCacheOptions {
  /** Minimum time between two database look-ups of unknown codes, ms. */
  refreshMs: number;
  /** How rules are built; sensors without overrides share their family's array. */
  buildRules: RuleBuilder;
  /** Clock (tests pass their own). */
  now?: () => number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const isFamily = (code: string): code is SensorFamily =>
  (SENSOR_FAMILY_CODES as readonly string[]).includes(code);

export class SensorCache {
  private readonly byCode = new Map<string, SensorInfo>();
  private families = new Map<number, { family: SensorFamily; rules: readonly unknown[] }>();
  private lastLookup = -Infinity;
  private inflight: Promise<void> | null = null;
  private loaded: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly repo: Pick<IngestRepository, 'sensorTypes' | 'allSensors' | 'sensorsByCode'>,
    private readonly opts: SensorCacheOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Number of sensors held. */
  get size(): number {
    return this.byCode.size;
  }

  /** (Re)loads the whole registry; returns how many sensors it holds. */
  load(): Promise<number> {
    const loading = this.loadAll();
    // A failed load (database down) is tried again by the next resolve().
    this.loaded = loading.then(
      () => undefined,
      () => {
        this.loaded = null;
      },
    );
    return loading;
  }

  private async loadAll(): Promise<number> {
    await this.loadFamilies();
    const rows = await this.repo.allSensors();
    this.byCode.clear();
    for (const r of rows) this.put(r);
    this.lastLookup = this.now();
    return this.byCode.size;
  }

  /** The sensor with this code from memory only. */
  peek(code: string): SensorInfo | undefined {
    return this.byCode.get(code);
  }

  /**
   * Resolves many codes at once. Unknown codes trigger one database look-up, unless one ran less than
   * `refreshMs` ago (then they stay unknown until the next window).
   */
  async resolve(codes: Iterable<string>): Promise<Map<string, SensorInfo>> {
    // The database may be down: wait for it like the writer does (backpressure), never guess.
    for (let delay = 100; ; delay = Math.min(delay * 2, 5000)) {
      if (!this.loaded) void this.load();
      await this.loaded;
      if (this.loaded) break;
      await sleep(delay);
    }
    const out = new Map<string, SensorInfo>();
    const unknown: string[] = [];
    for (const code of codes) {
      const hit = this.byCode.get(code);
      if (hit) out.set(code, hit);
      else unknown.push(code);
    }
    if (unknown.length === 0) return out;
    if (this.inflight) await this.inflight;
    const due = this.now() - this.lastLookup >= this.opts.refreshMs;
    const stillUnknown = unknown.filter((c) => !this.byCode.has(c));
    if (due && stillUnknown.length > 0) {
      this.lastLookup = this.now();
      this.inflight = this.lookUpPatiently(stillUnknown).finally(() => (this.inflight = null));
      await this.inflight;
    }
    for (const code of unknown) {
      const hit = this.byCode.get(code);
      if (hit) out.set(code, hit);
    }
    return out;
  }

  /** Forgets everything about these codes' rules, e.g. after an officer changed a sensor's overrides. */
  invalidate(codes: readonly string[]): void {
    for (const c of codes) this.byCode.delete(c);
    this.lastLookup = -Infinity;
  }

  private async lookUpPatiently(codes: string[]): Promise<void> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 5000)) {
      try {
        // A code of a family added since start needs the family first.
        const rows = await this.repo.sensorsByCode(codes);
        if (rows.some((r) => !this.families.has(r.typeId))) await this.loadFamilies();
        for (const r of rows) this.put(r);
        return;
      } catch {
        await sleep(delay);
      }
    }
  }

  private async loadFamilies(): Promise<void> {
    const types = await this.repo.sensorTypes();
    const next = new Map<number, { family: SensorFamily; rules: readonly unknown[] }>();
    for (const t of types) {
      if (!isFamily(t.code)) continue; // a family this build has no reading schema for
      next.set(t.id, { family: t.code, rules: this.opts.buildRules(t.code, t.rules, null) });
    }
    this.families = next;
    this.familyRows = new Map(types.map((t) => [t.id, t.rules]));
  }

  private familyRows = new Map<number, unknown[]>();

  private put(r: SensorRegistryRow): void {
    const fam = this.families.get(r.typeId);
    if (!fam) return;
    const rules = r.overrides
      ? this.opts.buildRules(fam.family, this.familyRows.get(r.typeId) ?? [], r.overrides)
      : fam.rules;
    this.byCode.set(r.code, { id: r.id, code: r.code, family: fam.family, rules });
  }
}
