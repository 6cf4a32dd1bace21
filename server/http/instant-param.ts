// A required instant in a query string: an ISO 8601 date-time with a time zone (Z or ±hh:mm), so the same
// link means the same instant for every reader wherever they are.
import { error } from '@sveltejs/kit';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The instant in parameter `name`, or a 400 naming it and what was wrong. */
export function instantParam(params: URLSearchParams, name: string): Date {
  const raw = params.get(name);
  if (raw === null || raw === '') error(400, `query parameter "${name}" is required (an ISO 8601 instant)`);
  const d = new Date(raw);
  if (!ISO_INSTANT.test(raw) || Number.isNaN(d.getTime()))
    error(
      400,
      `query parameter "${name}" must be an ISO 8601 instant with a time zone, like 2026-11-03T07:40:00+08:00`,
    );
  return d;
}
