// The sensor registry in memory: device code → SensorInfo, loaded in bulk at start (500k sensors in a
// few seconds) so ingest resolves codes without a query per message. Codes it does not know are looked up
// in the database at most once per refresh interval, so a flood of garbage codes cannot hammer it.
// Compact at city scale: a code maps to the sensor's id, and the id to its family in a typed array (no
// object per sensor: 500,000 SensorInfo objects were 28 MB); the SensorInfo is made when asked for.
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

/** A family with the rules its sensors get; an entry is never changed once sensors point to it. */
interface FamilyEntry {
  family: SensorFamily;
  rules: readonly unknown[];
  /** The stored family rules the entry was built from (a reload with the same ones reuses it). */
  source: string;
}

export class SensorCache {
  /** Device code → sensor id. */
  private readonly byCode = new Map<string, number>();
  /** Per sensor id: 1 + its entry in `entries` (0 = none). */
  private entryOf = new Uint16Array(0);
  /** Family entries, appended when the families are (re)loaded. */
  private readonly entries: FamilyEntry[] = [];
  /** Rules of the sensors with overrides of their own, by id. */
  private readonly ownRules = new Map<number, readonly unknown[]>();
  /** sensor_types.id → its current entry's index in `entries`. */
  private families = new Map<number, number>();
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
    this.ownRules.clear();
    for (const r of rows) this.put(r);
    this.lastLookup = this.now();
    return this.byCode.size;
  }

  /** The sensor with this code from memory only. */
  peek(code: string): SensorInfo | undefined {
    const id = this.byCode.get(code);
    if (id === undefined) return undefined;
    const entry = this.entries[this.entryOf[id] - 1];
    return { id, code, family: entry.family, rules: this.ownRules.get(id) ?? entry.rules };
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
      const hit = this.peek(code);
      if (hit) out.set(code, hit);
      else unknown.push(code);
    }
    if (unknown.length === 0) return out;
    if (this.inflight) await this.inflight;
    const due = this.now() - this.lastLookup >= this.opts.refreshMs;
    // A code with a NUL character cannot be in the database, and PostgreSQL refuses the query that asks
    // for it (which lookUpPatiently would retry for ever, holding every batch): it stays unknown.
    const stillUnknown = unknown.filter((c) => !this.byCode.has(c) && !c.includes('\u0000'));
    if (due && stillUnknown.length > 0) {
      this.lastLookup = this.now();
      this.inflight = this.lookUpPatiently(stillUnknown).finally(() => (this.inflight = null));
      await this.inflight;
    }
    for (const code of unknown) {
      const hit = this.peek(code);
      if (hit) out.set(code, hit);
    }
    return out;
  }

  /** Forgets everything about these codes' rules, e.g. after an officer changed a sensor's overrides. */
  invalidate(codes: readonly string[]): void {
    for (const c of codes) {
      const id = this.byCode.get(c);
      if (id === undefined) continue;
      this.byCode.delete(c);
      this.ownRules.delete(id);
    }
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
    const next = new Map<number, number>();
    for (const t of types) {
      if (!isFamily(t.code)) continue; // a family this build has no reading schema for
      const source = JSON.stringify(t.rules);
      const held = this.families.get(t.id);
      if (
        held !== undefined &&
        this.entries[held].family === t.code &&
        this.entries[held].source === source
      ) {
        next.set(t.id, held);
        continue;
      }
      if (this.entries.length >= 0xffff) throw new Error('sensor families changed too often to index');
      this.entries.push({ family: t.code, rules: this.opts.buildRules(t.code, t.rules, null), source });
      next.set(t.id, this.entries.length - 1);
    }
    this.families = next;
    this.familyRows = new Map(types.map((t) => [t.id, t.rules]));
  }

  private familyRows = new Map<number, unknown[]>();

  private put(r: SensorRegistryRow): void {
    const at = this.families.get(r.typeId);
    if (at === undefined) return;
    if (r.id >= this.entryOf.length) {
      const grown = new Uint16Array(Math.max(r.id + 1, this.entryOf.length * 2, 1024));
      grown.set(this.entryOf);
      this.entryOf = grown;
    }
    this.entryOf[r.id] = at + 1;
    if (r.overrides)
      this.ownRules.set(
        r.id,
        this.opts.buildRules(this.entries[at].family, this.familyRows.get(r.typeId) ?? [], r.overrides),
      );
    else this.ownRules.delete(r.id);
    this.byCode.set(r.code, r.id);
  }
}
