// `npm run dev`: boots the same App and Socket.IO on Vite's dev server, so dev and production share code.
// Server modules load through Vite's SSR loader (TypeScript, same module graph as SvelteKit's dev SSR).
import type { Server as HttpServer } from 'node:http';
import type { Plugin } from 'vite';

export function devRealtime(): Plugin {
  return {
    name: 'citynerve-dev-realtime',
    apply: 'serve',
    configureServer(server) {
      if (!server.httpServer || process.env.VITEST) return;
      const load = <T>(id: string) => server.ssrLoadModule(id) as Promise<T>;
      return async () => {
        const { loadConfig } = await load<typeof import('./config')>('/server/config.ts');
        const { startApp } = await load<typeof import('./app')>('/server/app.ts');
        const { setAppContext } = await load<typeof import('./context')>('/server/context.ts');
        const { attachRealtime } = await load<typeof import('./realtime/socket-server')>(
          '/server/realtime/socket-server.ts',
        );
        const app = await startApp(loadConfig());
        setAppContext(app);
        attachRealtime(server.httpServer as HttpServer, app);
      };
    },
  };
}
