// /admin/dead-letters: refused device messages with their reasons, for admins.
import { DEAD_LETTER_REASONS } from '$server/domain/ingest-contract';
import { requirePage } from '$server/http/guards';
import type { PageServerLoad } from './$types';

const LIMIT = 200;

export const load: PageServerLoad = async ({ locals, url }) => {
  requirePage(locals, url, 'admin:view');
  const asked = url.searchParams.get('reason') ?? '';
  const reason = (DEAD_LETTER_REASONS as readonly string[]).includes(asked) ? asked : null;
  const { deadLetters } = locals.app.repos;
  const [letters, tallies] = await Promise.all([
    deadLetters.list({ reason: reason ?? undefined, limit: LIMIT }),
    deadLetters.tallies(),
  ]);
  const { DEAD_LETTER_RETENTION_DAYS: days, DEAD_LETTER_MAX_ROWS: maxRows } = locals.app.config;
  return { reason, reasons: [...DEAD_LETTER_REASONS], letters, tallies, retention: { days, maxRows } };
};
