// A display token as the admin API sends it: dates as ISO strings, never the hash.
import type { DisplayTokenJson } from '$lib/api/display-tokens';
import type { DisplayTokenView } from '$server/services/display-token.service';

export function displayTokenJson(t: DisplayTokenView): DisplayTokenJson {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: t.id,
    name: t.name,
    state: t.state,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
    expiresAt: iso(t.expiresAt),
  };
}
