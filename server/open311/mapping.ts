// From CityNerve's cases and categories to Open311 documents, and the privacy rule of the read endpoints.
// An Open311 "service request" is a case (one row per case, service_request_id = case code, requested at the
// case's creation); the tickets behind it are not listed, so repeat reports do not appear twice.
//
// Privacy: GET requests is anonymous. Anonymous callers (no api_key) get the public view: no description,
// no media_url, the street's name instead of the reported address, lat/long snapped to the centre of the
// public transparency view's cell (PUBLIC_CELL_M, 1 km by default), and status_notes from a fixed label per state (officers' notes are free text and may name people).
// Callers with a valid api_key get the full view: description, media_url, address, exact point and the
// latest note. Caller names, phones and e-mails are never part of either view.
import {
  CATEGORIES,
  CATEGORY_GROUPS,
  categoryByCode,
  resolutionHours,
  type CaseCategory,
} from '../domain/case-categories';
import { CASE_STATES, OPEN_STATES, type CaseState } from '../domain/case-workflow';
import type { Open311CaseRow } from '../db/repositories/open311.repository';
import { cellOf } from '../domain/disclosure';
import { messagesFor } from './messages';
import { offeredService, SUBJECT_MAX } from './params';
import type {
  Open311Lang,
  Open311Request,
  Open311ServiceDefinition,
  Open311ServiceEntry,
  Open311View,
} from './types';

/** "open" while a case is being worked on, "closed" from resolution on. */
export function statusOf(state: CaseState): 'open' | 'closed' {
  return OPEN_STATES.includes(state) ? 'open' : 'closed';
}

/** The case states an Open311 status filter stands for. */
export function statesOf(statuses: readonly ('open' | 'closed')[]): CaseState[] {
  return CASE_STATES.filter((state) => statuses.includes(statusOf(state)));
}

function serviceEntry(c: CaseCategory, lang: Open311Lang): Open311ServiceEntry {
  const group = CATEGORY_GROUPS.find((g) => g.code === c.group);
  return {
    service_code: c.code,
    service_name: lang === 'en' ? c.nameEn : c.name,
    description: messagesFor(lang).serviceDescription(resolutionHours(c, c.priority)),
    metadata: true,
    type: 'realtime',
    keywords: c.keywords.join(', '),
    group: (lang === 'en' ? group?.nameEn : group?.name) ?? c.group,
  };
}

/** GET services: every category citizens may report, in taxonomy order. */
export function serviceList(lang: Open311Lang): Open311ServiceEntry[] {
  return CATEGORIES.filter((c) => offeredService(c.code)).map((c) => serviceEntry(c, lang));
}

/**
 * GET services/{code}: the definition, or null for a code that is not offered. Every service has one
 * optional attribute, `subject`: a board post's or app report's title line, which becomes the case title
 * and which the classifier weighs above the body.
 */
export function serviceDefinition(
  code: string,
  lang: Open311Lang = 'zh-CN',
): Open311ServiceDefinition | null {
  if (!offeredService(code)) return null;
  const m = messagesFor(lang);
  return {
    service_code: code,
    attributes: [
      {
        variable: true,
        code: 'subject',
        datatype: 'string',
        required: false,
        datatype_description: m.subjectType(SUBJECT_MAX),
        order: 1,
        description: m.subject,
      },
    ],
  };
}

const MEDIA_PREFIX = '\nmedia_url: ';

/**
 * The ticket text of an Open311 report: the description (or the category's name when none was sent) with
 * media_url on a last line, so officers see the link; `splitMedia` takes it back out.
 */
export function reportText(
  description: string | null,
  category: CaseCategory,
  mediaUrl: string | null,
): string {
  const text = description ?? category.name;
  return mediaUrl ? `${text}${MEDIA_PREFIX}${mediaUrl}` : text;
}

/** A stored report text split into the text and the media_url it carried. */
export function splitMedia(text: string): { text: string; mediaUrl: string | null } {
  const at = text.lastIndexOf(MEDIA_PREFIX);
  if (at < 0) return { text, mediaUrl: null };
  const url = text.slice(at + MEDIA_PREFIX.length);
  if (!/^https?:\/\/\S+$/i.test(url)) return { text, mediaUrl: null };
  return { text: text.slice(0, at), mediaUrl: url };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** An anonymous caller's point: the centre of its public-view cell (the transparency view's grid). */
function coarse(lon: number | null, lat: number | null, metres: number): [number | null, number | null] {
  if (lon === null || lat === null) return [null, null];
  return cellOf(lon, lat, metres).centre;
}

/** A case as an Open311 service request, in the view the caller is entitled to (see the module comment). */
export function toOpen311Request(
  row: Open311CaseRow,
  lang: Open311Lang,
  view: Open311View,
  publicCellMetres = 1000,
): Open311Request {
  const category = categoryByCode(row.category);
  const en = lang === 'en';
  const status = statusOf(row.state);
  const street = (en ? row.streetNameEn : row.streetName) ?? null;
  const stateLabel = messagesFor(lang).states[row.state];
  const keyed = view === 'keyed';
  const media = keyed && row.description !== null ? splitMedia(row.description) : null;
  const [pubLon, pubLat] = keyed ? [row.lon, row.lat] : coarse(row.lon, row.lat, publicCellMetres);
  return {
    service_request_id: row.code,
    status,
    status_notes: keyed ? (row.lastNote ?? stateLabel) : stateLabel,
    service_name: category ? (en ? category.nameEn : category.name) : null,
    service_code: row.category,
    ...(keyed ? { description: media ? media.text.slice(0, 4000) : null } : {}),
    agency_responsible: (en ? row.departmentNameEn : row.departmentName) ?? null,
    service_notice: null,
    requested_datetime: row.createdAt.toISOString(),
    updated_datetime: iso(
      status === 'closed' ? (row.closedAt ?? row.resolvedAt ?? row.updatedAt) : row.updatedAt,
    ),
    expected_datetime: iso(row.state === 'dispatched' ? row.signDueAt : row.dueAt),
    address: keyed ? (row.address ?? street) : street,
    address_id: null,
    zipcode: null,
    lat: pubLat,
    long: pubLon,
    ...(keyed ? { media_url: media?.mediaUrl ?? null } : {}),
  };
}
