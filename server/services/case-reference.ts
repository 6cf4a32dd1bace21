// The lists the console, the case page and the intake form choose from: categories, units, streets.
import { CATEGORIES, CATEGORY_GROUPS } from '../domain/case-categories';
import type { CasesRepository } from '../db/repositories/cases.repository';

export interface CaseReference {
  groups: { code: string; name: string; nameEn: string }[];
  categories: { code: string; group: string; name: string; nameEn: string; priority: 1 | 2 | 3 }[];
  departments: { id: number; name: string; nameEn: string; kind: string; streetId: number | null }[];
  streets: { id: number; name: string; nameEn: string }[];
}

export async function caseReference(
  repo: Pick<CasesRepository, 'departments' | 'streetNames'>,
): Promise<CaseReference> {
  const [departments, streets] = await Promise.all([repo.departments(), repo.streetNames()]);
  return {
    groups: CATEGORY_GROUPS.map(({ code, name, nameEn }) => ({ code, name, nameEn })),
    categories: CATEGORIES.map(({ code, group, name, nameEn, priority }) => ({
      code,
      group,
      name,
      nameEn,
      priority,
    })),
    departments: departments.map(({ id, name, nameEn, kind, streetId }) => ({
      id,
      name,
      nameEn,
      kind,
      streetId,
    })),
    streets: streets.map(({ id, name, nameEn }) => ({ id, name, nameEn })),
  };
}
