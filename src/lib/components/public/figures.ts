// How the public view writes its numbers: suppressed counts as "<min", rates as percentages, and the
// street × category table's rows.
import type { PublicStreetRow } from '$lib/api/public';

/** A published count: "<min" when suppressed, "—" when absent, otherwise grouped digits. */
export function countText(value: number | null, suppressed: boolean, min: number): string {
  if (suppressed) return `<${min}`;
  if (value === null) return '—';
  return value.toLocaleString('en-US');
}

/** A 0–1 rate as "87.5%", "—" when not published. */
export function rateText(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** One street of the street × category table. */
export interface StreetTableRow {
  /** Street code; "" for reports not placed in any street. */
  code: string;
  /** Street name in the asked language; null for the unplaced row. */
  name: string | null;
  district: string | null;
  /** The street's rows by category group code. */
  cells: Record<string, PublicStreetRow>;
}

/** The 12-month totals as one row per street (by district, then as given; unplaced last). */
export function streetTable(rows: readonly PublicStreetRow[], en: boolean): StreetTableRow[] {
  const byStreet: Record<string, StreetTableRow> = {};
  for (const r of rows) {
    const key = r.streetCode ?? '';
    byStreet[key] ??= {
      code: key,
      name: en ? r.streetNameEn : r.streetName,
      district: en ? r.districtNameEn : r.districtName,
      cells: {},
    };
    byStreet[key].cells[r.group] = r;
  }
  const list = Object.values(byStreet);
  const placed = list.filter((r) => r.code !== '');
  placed.sort((a, b) => (a.district ?? '').localeCompare(b.district ?? ''));
  return [...placed, ...list.filter((r) => r.code === '')];
}
