// The case page as one user may see it: staff only their own unit's cases; callers' personal data only
// for the service desk; and the actions the user may take now.
import type { CaseDetail } from '../../src/lib/api/cases';
import type { CasesRepository } from '../db/repositories/cases.repository';
import { allowedActions } from '../domain/case-workflow';
import type { SessionUser } from './auth.service';

/** Caller name and phone are seen by the service desk only; others get them masked. */
export function maskPerson(name: string | null, phone: string | null) {
  return {
    callerName: name ? `${name.slice(0, 1)}**` : null,
    callerPhone: phone ? phone.replace(/\d(?=\d{4})/g, '*') : null,
  };
}

export async function caseForUser(
  repo: Pick<CasesRepository, 'detail'>,
  code: string,
  user: SessionUser,
  now: Date,
): Promise<CaseDetail | 'not_found' | 'forbidden'> {
  const d = await repo.detail(code, now);
  if (!d) return 'not_found';
  if (user.role === 'staff' && d.departmentId !== user.departmentId) return 'forbidden';
  const desk = user.role === 'officer' || user.role === 'admin';
  return {
    ...d,
    tickets: desk ? d.tickets : d.tickets.map((t) => ({ ...t, ...maskPerson(t.callerName, t.callerPhone) })),
    actions: allowedActions(
      {
        state: d.state,
        departmentId: d.departmentId,
        priority: d.priority,
        rating: d.rating,
        pendingExtensionHours: d.pendingExtensionHours,
      },
      { role: user.role, departmentId: user.departmentId },
    ),
  };
}
