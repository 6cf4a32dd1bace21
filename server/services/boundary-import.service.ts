// Use-case "import real street boundaries": parse and validate a GeoJSON file, then replace the stored
// geometry in one transaction. Either every feature is stored or nothing changes.
import { parseGeoJsonText, validateBoundaries } from '../domain/boundary-validation';
import type { Database } from '../db/client';
import {
  boundaryRepository,
  type BoundaryImportSummary,
  type BoundaryRepository,
} from '../db/repositories/boundary.repository';

export type { BoundaryImportSummary } from '../db/repositories/boundary.repository';

/** Outcome of an import; `errors` are ready to print, one problem per line, each naming its feature. */
export type ImportResult = { ok: true; summary: BoundaryImportSummary } | { ok: false; errors: string[] };

/** The repositories the import uses, replaceable by fakes in tests. */
export interface BoundaryImportRepositories {
  /** Writes the validated features (see boundary.repository.ts). */
  boundaries: BoundaryRepository;
}

const defaultRepositories: BoundaryImportRepositories = { boundaries: boundaryRepository };

/** Imports a FeatureCollection of street polygons given as the file's text. */
export async function importBoundaries(
  db: Database,
  text: string,
  repos: BoundaryImportRepositories = defaultRepositories,
): Promise<ImportResult> {
  const parsed = parseGeoJsonText(text);
  if (!parsed.ok) return { ok: false, errors: [parsed.error.message] };

  const validation = validateBoundaries(parsed.value);
  if (!validation.ok) return { ok: false, errors: validation.errors.map((e) => e.message) };

  try {
    const outcome = await repos.boundaries.replaceStreetBoundaries(db, validation.features);
    if (!outcome.ok) return { ok: false, errors: outcome.errors.map((e) => e.message) };
    return { ok: true, summary: outcome.summary };
  } catch (err) {
    // The transaction has already rolled back; the caller gets a line, not a stack trace.
    return { ok: false, errors: [`database: the import was rolled back: ${(err as Error).message}`] };
  }
}
