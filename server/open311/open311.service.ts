// The Open311 GeoReport v2 use-cases: list services, create a request through intake, read requests in the
// view the caller is entitled to (see mapping.ts), resolve tokens. Transport-free: routes hand in parsed
// parameters and render what comes back; refusals are Open311Errors.
import type { TicketInput } from '../../src/lib/api/cases';
import type { CasesRepository } from '../db/repositories/cases.repository';
import type { Open311Repository } from '../db/repositories/open311.repository';
import type { CaseActor } from '../services/case.service';
import { IntakeError, type IntakeService } from '../services/intake.service';
import { Open311Error } from './errors';
import { reportText, serviceDefinition, serviceList, statesOf, toOpen311Request } from './mapping';
import { messagesFor } from './messages';
import { hashApiKey, parseCreateFields, parseRequestId, parseRequestQuery, parseToken } from './params';
import type {
  Open311Created,
  Open311Lang,
  Open311Request,
  Open311ServiceDefinition,
  Open311ServiceEntry,
  Open311TokenEntry,
  Open311View,
} from './types';

export interface Open311Deps {
  repo: Pick<Open311Repository, 'requests' | 'keyByHash' | 'ensureKey'>;
  tickets: Pick<CasesRepository, 'ticketByToken'>;
  intake: Pick<IntakeService, 'submit'>;
  /** OPEN311_DEMO_KEY: accepted like a stored key; its hash is stored on first use. */
  demoKey: string;
  /** PUBLIC_CELL_M: anonymous callers see points snapped to the public view's cells of this size. */
  publicCellMetres?: number;
}

/** Open311 reports enter as the system, not as a user. */
const SYSTEM: CaseActor = { userId: null, role: 'system', departmentId: null };

export function open311Service(deps: Open311Deps) {
  /** The view an api_key grants: none → public; a valid key → keyed; an unknown or disabled key → 403. */
  async function viewFor(apiKey: string | null | undefined): Promise<Open311View> {
    if (apiKey === null || apiKey === undefined || apiKey === '') return 'public';
    const hash = hashApiKey(apiKey);
    let key = await deps.repo.keyByHash(hash);
    if (!key && apiKey === deps.demoKey) {
      await deps.repo.ensureKey('demo (OPEN311_DEMO_KEY)', hash);
      key = await deps.repo.keyByHash(hash);
    }
    if (!key) throw new Open311Error(403, 'api_key is not valid');
    if (key.disabled) throw new Open311Error(403, 'api_key has been disabled');
    return 'keyed';
  }

  return {
    viewFor,

    /** GET services. */
    services(lang: Open311Lang): Open311ServiceEntry[] {
      return serviceList(lang);
    },

    /** GET services/{code}. */
    serviceDefinition(code: string, lang: Open311Lang = 'zh-CN'): Open311ServiceDefinition {
      const def = serviceDefinition(code, lang);
      if (!def) throw new Open311Error(404, `service_code "${code.slice(0, 40)}" is not a service`);
      return def;
    },

    /**
     * POST requests: the api_key first (403; the GeoReport v2 error for a missing or invalid key), then the
     * fields (400), then intake. A repeat report answers with the open case it joined.
     */
    async create(
      fields: Readonly<Record<string, string>>,
      now: Date,
      lang: Open311Lang,
    ): Promise<Open311Created[]> {
      if (!fields.api_key) throw new Open311Error(403, 'api_key is required to create a service request');
      await viewFor(fields.api_key);
      const input = parseCreateFields(fields);
      const ticket: TicketInput = {
        channel: 'open311',
        category: input.category.code,
        text: reportText(input.description, input.category, input.mediaUrl),
        subject: input.subject,
        address: input.address ?? input.addressId,
        lat: input.lat,
        lon: input.lon,
        callerName: input.callerName,
        callerPhone: input.phone,
        callerEmail: input.email,
      };
      let result;
      try {
        result = await deps.intake.submit(ticket, SYSTEM, now, 'open311');
      } catch (err) {
        if (err instanceof IntakeError) throw new Open311Error(400, err.message);
        throw err;
      }
      const m = messagesFor(lang);
      let notice: string;
      if (result.duplicate) notice = m.duplicate(result.caseCode);
      else if (result.triage || result.departmentId === null) notice = m.triage;
      else {
        const [row] = await deps.repo.requests({ codes: [result.caseCode], limit: 1, withNotes: false });
        const agency = lang === 'en' ? row?.departmentNameEn : row?.departmentName;
        notice = agency ? m.dispatched(agency) : m.triage;
      }
      return [
        {
          service_request_id: result.caseCode,
          token: result.token,
          service_notice: notice,
          account_id: null,
        },
      ];
    },

    /** GET requests: filters checked (400), then at most 1,000 requests, newest first. */
    async list(
      query: URLSearchParams,
      view: Open311View,
      now: Date,
      lang: Open311Lang,
    ): Promise<Open311Request[]> {
      const q = parseRequestQuery(query, now);
      const rows = await deps.repo.requests({
        codes: q.codes,
        categories: q.serviceCodes,
        states: q.statuses && statesOf(q.statuses),
        from: q.from,
        to: q.to,
        limit: q.limit,
        withNotes: view === 'keyed',
      });
      return rows.map((r) => toOpen311Request(r, lang, view, deps.publicCellMetres));
    },

    /** GET requests/{id}: a list of one, or 404. */
    async one(id: string, view: Open311View, lang: Open311Lang): Promise<Open311Request[]> {
      const code = parseRequestId(id);
      const rows = await deps.repo.requests({ codes: [code], limit: 1, withNotes: view === 'keyed' });
      if (!rows.length) throw new Open311Error(404, `service_request_id "${code}" was not found`);
      return rows.map((r) => toOpen311Request(r, lang, view, deps.publicCellMetres));
    },

    /** GET tokens/{token}: the request a token belongs to, or 404. */
    async token(text: string): Promise<Open311TokenEntry[]> {
      const token = parseToken(text);
      const ticket = await deps.tickets.ticketByToken(token);
      if (!ticket) throw new Open311Error(404, `token "${token}" was not found`);
      return [{ service_request_id: ticket.caseCode, token }];
    },
  };
}

export type Open311Service = ReturnType<typeof open311Service>;
