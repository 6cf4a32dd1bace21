// An in-memory recording implementation of the case repository methods the real caseService and
// intakeService use: the services run unchanged (workflow rules, deadlines, classifier, duplicate
// matching) at simulated instants, and every row they would write is kept here for the bulk writer.
// Each method mirrors the SQL of cases.repository.ts column for column; holdings are cut afterwards
// in SQL (case-holdings.ts), exactly as the repository's insertEvent would have cut them.
import type { SystemText } from '../../../src/lib/api/system-text';
import type {
  CasePatch,
  CaseRecord,
  CasesRepository,
  DuplicateCandidate,
  NewCase,
  NewTicket,
} from '../../db/repositories/cases.repository';
import type { Orm } from '../../db/client';
import type { CaseState, Rating } from '../../domain/case-workflow';
import { PolygonLocator, type PolygonGeometry } from '../../domain/geo';
import { hashSeed } from '../../domain/random';

/** The city as the recorder needs it (read once from the database). */
export interface CitySnapshot {
  streets: {
    id: number;
    code: string;
    name: string;
    districtId: number;
    geom: PolygonGeometry;
    lon: number | null;
    lat: number | null;
  }[];
  gridCells: { id: number; geom: PolygonGeometry }[];
  districts: { id: number; code: string }[];
  departments: { id: number; code: string; kind: string; streetId: number | null }[];
}

/** A cases row as written. */
export interface CaseRow {
  id: number;
  code: string;
  title: string;
  description: string | null;
  /** Language-neutral form of a system-written title (alarm cases), as cases.system_text. */
  systemText: SystemText | null;
  category: string | null;
  state: CaseState;
  priority: 1 | 2 | 3;
  source: string;
  triage: boolean;
  address: string | null;
  streetId: number | null;
  gridCellId: number | null;
  departmentId: number | null;
  sensorId: number | null;
  lon: number | null;
  lat: number | null;
  reports: number;
  dispatchedAt: Date | null;
  signDueAt: Date | null;
  signedAt: Date | null;
  allowedHours: number | null;
  dueSoonAt: Date | null;
  dueAt: Date | null;
  pendingExtensionHours: number | null;
  resolvedAt: Date | null;
  rating: Rating | null;
  closedAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A hotline_tickets row as written. */
export interface TicketRow extends NewTicket {
  id: number;
  caseId: number | null;
  duplicate: boolean;
}

/** A case_events row as written (its id is given by the database in this order). */
export interface EventRow {
  caseId: number;
  at: Date;
  actorUserId: number | null;
  actorRole: string;
  action: string;
  fromState: CaseState | null;
  toState: CaseState | null;
  note: string | null;
  data: Record<string, unknown>;
}

/** A classification_corrections row as written. */
export interface CorrectionRow {
  ticketId: number | null;
  text: string;
  predicted: string | null;
  corrected: string;
  userId: number | null;
  at: Date;
}

type Used =
  | 'transaction'
  | 'locate'
  | 'streetsForPlacement'
  | 'departmentFor'
  | 'duplicateCandidates'
  | 'insertTicket'
  | 'linkTicket'
  | 'insertCorrection'
  | 'byCode'
  | 'applyChange'
  | 'insertEvent'
  | 'insertCase'
  | 'departmentExists'
  | 'firstTicket';

/** Metres between two points on the WGS84 mean sphere. */
export function metresBetween(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(a));
}

const shanghaiDay = (d: Date) =>
  new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');

/** A deterministic Open311 token in UUID form (intake draws a random one; the past must be reproducible). */
export function historyToken(seed: string, ticketId: number): string {
  const hex = [0, 1, 2, 3]
    .map((i) => hashSeed(`${seed}:token:${ticketId}:${i}`).toString(16).padStart(8, '0'))
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The recorder: a repository for the services plus the rows they wrote. */
export function caseRecorder(city: CitySnapshot, ids: { caseId: number; ticketId: number }, seed: string) {
  const streetLocator = new PolygonLocator(city.streets.map((s) => ({ id: s.id, geom: s.geom })));
  const cellLocator = new PolygonLocator(city.gridCells.map((c) => ({ id: c.id, geom: c.geom })));
  const streetById = new Map(city.streets.map((s) => [s.id, s]));
  const deptByCode = new Map(city.departments.map((d) => [d.code, d.id]));
  const deptIds = new Set(city.departments.map((d) => d.id));
  const officeByStreet = new Map<number, number>();
  for (const d of [...city.departments].sort((a, b) => a.id - b.id))
    if (d.kind === 'street_office' && d.streetId !== null && !officeByStreet.has(d.streetId))
      officeByStreet.set(d.streetId, d.id);
  const districtCode = new Map(city.districts.map((d) => [d.id, d.code]));
  const firstDistrict = Math.min(...city.districts.map((d) => d.id));

  const cases: CaseRow[] = [];
  const caseById = new Map<number, CaseRow>();
  const caseByCode = new Map<string, CaseRow>();
  const tickets: TicketRow[] = [];
  const events: EventRow[] = [];
  const corrections: CorrectionRow[] = [];
  /** Cases with a location per category in creation order, for duplicate candidates. */
  const placedByCategory = new Map<string, CaseRow[]>();
  let nextCase = ids.caseId;
  let nextTicket = ids.ticketId;

  const record = (c: CaseRow): CaseRecord => ({
    id: c.id,
    code: c.code,
    state: c.state,
    category: c.category,
    priority: c.priority,
    departmentId: c.departmentId,
    streetId: c.streetId,
    rating: c.rating,
    pendingExtensionHours: c.pendingExtensionHours,
    allowedHours: c.allowedHours,
    signedAt: c.signedAt,
    dueAt: c.dueAt,
    version: c.version,
  });

  const repo: Pick<CasesRepository, Used> = {
    transaction: <T>(fn: (tx: Orm) => Promise<T>) => fn(undefined as unknown as Orm),

    async locate(lon: number, lat: number) {
      const streetId = streetLocator.locate(lon, lat);
      return {
        streetId,
        districtId: streetId === null ? null : (streetById.get(streetId)?.districtId ?? null),
        gridCellId: cellLocator.locate(lon, lat),
      };
    },

    async streetsForPlacement() {
      return city.streets.map((s) => ({ id: s.id, code: s.code, name: s.name, lon: s.lon, lat: s.lat }));
    },

    async departmentFor(streetId: number | null, key: string) {
      if (key === 'street-office' && streetId !== null) {
        const o = officeByStreet.get(streetId);
        if (o !== undefined) return o;
      }
      const deptKey = key === 'street-office' ? 'city-management' : key;
      const district =
        (streetId !== null ? streetById.get(streetId)?.districtId : undefined) ?? firstDistrict;
      return deptByCode.get(`${districtCode.get(district)}-${deptKey}`) ?? null;
    },

    async departmentExists(id: number) {
      return deptIds.has(id);
    },

    async duplicateCandidates(q: {
      lon: number;
      lat: number;
      category: string;
      since: Date;
      radiusM: number;
    }) {
      const list = placedByCategory.get(q.category) ?? [];
      const out: DuplicateCandidate[] = [];
      // A box a little larger than the radius first: the distance is only computed for cases inside it.
      const dLat = (q.radiusM * 1.01) / 110_574;
      const dLon = dLat / Math.cos((q.lat * Math.PI) / 180);
      for (let i = list.length - 1; i >= 0 && out.length < 50; i--) {
        const c = list[i];
        if (c.createdAt < q.since) break;
        if (Math.abs(c.lat! - q.lat) > dLat || Math.abs(c.lon! - q.lon) > dLon) continue;
        if (c.state === 'closed' || c.category !== q.category) continue;
        if (metresBetween(q.lon, q.lat, c.lon!, c.lat!) > q.radiusM) continue;
        out.push({
          id: c.id,
          code: c.code,
          category: c.category,
          text: c.description ?? c.title,
          lon: c.lon!,
          lat: c.lat!,
          createdAt: c.createdAt,
        });
      }
      return out;
    },

    async insertTicket(t: NewTicket) {
      const id = nextTicket++;
      tickets.push({ ...t, token: historyToken(seed, id), id, caseId: null, duplicate: false });
      return id;
    },

    async linkTicket(ticketId: number, caseId: number, duplicate: boolean) {
      const t =
        tickets[tickets.length - 1].id === ticketId
          ? tickets[tickets.length - 1]
          : tickets.find((x) => x.id === ticketId)!;
      t.caseId = caseId;
      t.duplicate = duplicate;
      if (duplicate) {
        const c = caseById.get(caseId)!;
        c.reports += 1;
        c.version += 1;
        // The repository stamps now(); in the past that is the moment of the call.
        c.updatedAt = t.receivedAt;
      }
    },

    async insertCorrection(c: Omit<CorrectionRow, 'at'>, at: Date) {
      corrections.push({ ...c, at });
    },

    async firstTicket(caseId: number) {
      const t = tickets.find((x) => x.caseId === caseId && !x.duplicate);
      return t ? { id: t.id, text: t.text, category: t.category } : null;
    },

    async insertCase(n: NewCase) {
      const id = nextCase++;
      const c: CaseRow = {
        id,
        code: n.code ?? `GD-${shanghaiDay(n.createdAt)}-${id}`,
        title: n.title,
        description: n.description,
        systemText: n.systemText ?? null,
        category: n.category,
        state: 'received',
        priority: n.priority,
        source: n.source,
        triage: n.triage,
        address: n.address,
        streetId: n.streetId,
        gridCellId: n.gridCellId,
        departmentId: null,
        sensorId: n.sensorId,
        lon: n.lon,
        lat: n.lat,
        reports: 1,
        dispatchedAt: null,
        signDueAt: null,
        signedAt: null,
        allowedHours: null,
        dueSoonAt: null,
        dueAt: null,
        pendingExtensionHours: null,
        resolvedAt: null,
        rating: null,
        closedAt: null,
        version: 0,
        createdAt: n.createdAt,
        updatedAt: n.createdAt,
      };
      if (caseByCode.has(c.code)) throw new Error(`case code ${c.code} already exists`);
      cases.push(c);
      caseById.set(id, c);
      caseByCode.set(c.code, c);
      if (c.lon !== null && c.lat !== null && c.category !== null) {
        const list = placedByCategory.get(c.category);
        if (list) list.push(c);
        else placedByCategory.set(c.category, [c]);
      }
      return { id, code: c.code };
    },

    async insertEvent(caseId, e, actor, at) {
      events.push({
        caseId,
        at,
        actorUserId: actor.userId,
        actorRole: actor.role,
        action: e.action,
        fromState: e.fromState,
        toState: e.toState,
        note: e.note,
        data: e.data,
      });
    },

    async byCode(code: string) {
      const c = caseByCode.get(code);
      return c ? record(c) : null;
    },

    async applyChange(id: number, version: number, p: CasePatch, now: Date) {
      const c = caseById.get(id);
      if (!c || c.version !== version) return false;
      c.state = p.state;
      c.updatedAt = now;
      c.version += 1;
      if (p.departmentId !== undefined) c.departmentId = p.departmentId;
      if (p.place) {
        c.lon = p.place.lon;
        c.lat = p.place.lat;
        c.streetId = p.place.streetId;
        c.gridCellId = p.place.gridCellId;
      }
      if (p.gridCellId !== undefined && p.gridCellId !== null) c.gridCellId = p.gridCellId;
      if (p.category !== undefined) c.category = p.category;
      if (p.priority !== undefined) c.priority = p.priority;
      if (p.triage !== undefined) c.triage = p.triage;
      if (p.dispatchedAt !== undefined) c.dispatchedAt = p.dispatchedAt;
      if (p.signDueAt !== undefined) c.signDueAt = p.signDueAt;
      if (p.signedAt !== undefined) c.signedAt = p.signedAt;
      if (p.allowedHours !== undefined) c.allowedHours = p.allowedHours;
      if (p.dueSoonAt !== undefined) c.dueSoonAt = p.dueSoonAt;
      if (p.dueAt !== undefined) c.dueAt = p.dueAt;
      if (p.pendingExtensionHours !== undefined) c.pendingExtensionHours = p.pendingExtensionHours;
      if (p.resolvedAt !== undefined) c.resolvedAt = p.resolvedAt;
      if (p.rating !== undefined) c.rating = p.rating;
      if (p.closedAt !== undefined) c.closedAt = p.closedAt;
      return true;
    },
  };

  return {
    repo,
    cases,
    tickets,
    events,
    corrections,
    caseById,
    caseByCode,
    /** Ids the next case and ticket would get. */
    nextIds: () => ({ caseId: nextCase, ticketId: nextTicket }),
  };
}

export type CaseRecorder = ReturnType<typeof caseRecorder>;
