// Calling SvelteKit route handlers directly with a fake request event: what a route reads (locals, params,
// url, request) and nothing else, so integration tests exercise the real handler, guards and services.
import type { App } from '../../../server/app';

export interface TestUser {
  id: number;
  role: 'admin' | 'leader' | 'officer' | 'staff';
  departmentId?: number | null;
}

/** A request event for `app` as `user` (null: not signed in). */
export function routeEvent(
  app: App,
  user: TestUser | null,
  opts: {
    params?: Record<string, string>;
    path?: string;
    query?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const url = new URL(`http://localhost${opts.path ?? '/'}${opts.query ?? ''}`);
  const hasBody = opts.body !== undefined || opts.rawBody !== undefined;
  const request = new Request(url, {
    method: hasBody ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: hasBody ? (opts.rawBody ?? JSON.stringify(opts.body)) : undefined,
  });
  return {
    locals: {
      app,
      user: user && {
        id: user.id,
        role: user.role,
        username: `${user.role}-${user.id}`,
        displayName: `${user.role} ${user.id}`,
        departmentId: user.departmentId ?? null,
      },
    },
    params: opts.params ?? {},
    url,
    request,
  } as never;
}

/** Runs a route handler; its status and JSON body, whether it answered or threw an HTTP error. */
export async function callRoute<T = Record<string, unknown>>(
  handler: (e: never) => Response | Promise<Response>,
  e: never,
): Promise<{ status: number; body: T }> {
  try {
    const res = await handler(e);
    return { status: res.status, body: (await res.json()) as T };
  } catch (err) {
    const h = err as { status?: number; body?: { message: string } };
    if (typeof h.status !== 'number') throw err;
    return { status: h.status, body: h.body as T };
  }
}
