// The open-data catalogue: each dataset's read API, downloads, fields and how often it changes. Texts
// are i18n keys ("public.ds.<id>.*", "public.field.<field>"); this file only says what exists.
import { PUBLIC_DOWNLOADS, type PublicDataset } from '$lib/api/public';

/** One dataset as the catalogue page lists it. */
export interface CatalogueEntry {
  /** Dataset id (also the API path segment). */
  id: PublicDataset;
  /** JSON read API. */
  api: string;
  /** Download links with their format. */
  downloads: { href: string; format: string }[];
  /** Field keys described under "public.field.<key>". */
  fields: string[];
  /** "live" (monthly figures over 12 months) or "cells" (30 / 90 days). */
  frequency: 'live' | 'cells';
}

const downloadsOf = (id: PublicDataset) =>
  ((PUBLIC_DOWNLOADS as Record<string, readonly string[]>)[id] ?? []).flatMap((format) =>
    id === 'cells'
      ? [30, 90].map((days) => ({
          href: `/api/public/download/${id}.${format}?days=${days}`,
          format: `${format.toUpperCase()} · ${days}d`,
        }))
      : [{ href: `/api/public/download/${id}.${format}`, format: format.toUpperCase() }],
  );

export const CATALOGUE: CatalogueEntry[] = [
  { id: 'summary', fields: ['headline', 'rates', 'meta'], frequency: 'live' },
  {
    id: 'streets',
    fields: ['month', 'district', 'street_code', 'street', 'group', 'group_name', 'tickets', 'cases'],
    frequency: 'live',
  },
  {
    id: 'departments',
    fields: [
      'department_code',
      'name',
      'kind',
      'cases',
      'resolved',
      'on_time_rate',
      'rated',
      'satisfaction_rate',
    ],
    frequency: 'live',
  },
  { id: 'trend', fields: ['month', 'tickets', 'cases', 'resolved'], frequency: 'live' },
  {
    id: 'cells',
    fields: ['cell', 'centre_lon', 'centre_lat', 'cell_m', 'days', 'tickets', 'count', 'suppressed'],
    frequency: 'cells',
  },
].map((d) => ({
  ...(d as Pick<CatalogueEntry, 'id' | 'fields' | 'frequency'>),
  api: `/api/public/${d.id}`,
  downloads: downloadsOf(d.id as PublicDataset),
}));
