// Who may see common problems: everyone who sees all cases. A problem spans departments and shows its
// tickets' wording, so department staff (who see their own unit's cases only) are refused outright rather
// than shown problems cut down to their cases.
import { error } from '@sveltejs/kit';
import { can } from '../domain/roles';
import { requireApi } from './guards';

export function requireProblemsViewer(locals: App.Locals) {
  const user = requireApi(locals, 'cases:view');
  if (!can(user, 'tickets:view'))
    error(403, `your role (${user.role}) may not see problems across departments`);
  return user;
}
