// A real HTTP server around the app's hook (src/hooks.server.ts) and a table of route modules: requests
// go over a socket, through the same cross-site, query-string and header checks as production, into the
// real route handlers and database. SvelteKit's router is replaced by the table (a +server.ts per path).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isHttpError, isRedirect } from '@sveltejs/kit';
import type { App } from '../../../server/app';
import { setAppContext } from '../../../server/context';
import { handle, handleError } from '../../../src/hooks.server';

type Handler = (event: never) => Response | Promise<Response>;
export type RouteModule = Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', Handler>>;

/** A route's path as in src/routes ("/api/cases/[code]/actions", "/open311/v2/requests.[format]"). */
function matcher(route: string): RegExp {
  const source = route
    .split(/(\[[a-z]+\])/i)
    .map((part) =>
      /^\[[a-z]+\]$/i.test(part)
        ? `(?<${part.slice(1, -1)}>[^/]+?)`
        : part.replace(/[.*+?^${}()|\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

function cookiesOf(header: string | undefined) {
  const jar = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return {
    get: (name: string) => jar.get(name),
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string) => void jar.set(name, value),
    delete: (name: string) => void jar.delete(name),
    serialize: () => '',
  };
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
}

/** Starts the server on a free port; `routes` in match order. */
export async function startEdgeServer(app: App, routes: [string, RouteModule][]) {
  setAppContext(app);
  const table = routes.map(([path, module]) => ({ path, re: matcher(path), module }));
  let origin = '';
  const resolve = async (event: { url: URL; request: Request; params: Record<string, string> }) => {
    const route = table.find((r) => r.re.test(event.url.pathname));
    if (!route) return Response.json({ message: 'not found' }, { status: 404 });
    event.params = { ...route.re.exec(event.url.pathname)!.groups };
    const fn = route.module[event.request.method as keyof RouteModule];
    if (!fn) return Response.json({ message: 'method not allowed' }, { status: 405 });
    try {
      return await fn(event as never);
    } catch (err) {
      if (isHttpError(err)) return Response.json(err.body, { status: err.status });
      if (isRedirect(err))
        return new Response(null, { status: err.status, headers: { location: err.location } });
      const body = await handleError({
        error: err,
        event: event as never,
        status: 500,
        message: 'Internal Error',
      });
      return Response.json(body, { status: 500 });
    }
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const request = await toRequest(req, origin);
      const url = new URL(request.url);
      const event = {
        request,
        url,
        params: {},
        locals: {},
        cookies: cookiesOf(req.headers.cookie),
        route: { id: null },
        setHeaders: () => {},
        getClientAddress: () => '127.0.0.1',
        isDataRequest: false,
        isSubRequest: false,
        platform: undefined,
        fetch,
      };
      const response = await handle({ event: event as never, resolve: resolve as never });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((err: Error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`harness failure: ${err.stack}`);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      setAppContext(undefined);
    },
  };
}
