// `npm run dev`: boots the same App and Socket.IO on Vite's dev server, so dev and production share code.
// Server modules load through Vite's SSR loader (TypeScript, same module graph as SvelteKit's dev SSR).
import type { Server as HttpServer } from 'node:http';
import type { Plugin } from 'vite';

export function devRealtime(): Plugin {
  return {
    name: 'citynerve-dev-realtime',
    apply: 'serve',
    configureServer(server) {
      const http = server.httpServer as HttpServer | null;
      if (!http || process.env.VITEST) return;
      const load = <T>(id: string) => server.ssrLoadModule(id) as Promise<T>;
      return async () => {
        const { loadConfig } = await load<typeof import('./config')>('/server/config.ts');
        const { startApp } = await load<typeof import('./app')>('/server/app.ts');
        const { setAppContext } = await load<typeof import('./context')>('/server/context.ts');
        const { attachRealtime } = await load<typeof import('./realtime/socket-server')>(
          '/server/realtime/socket-server.ts',
        );
        const { startAlarmJobs } = await load<typeof import('./services/alarm.service')>(
          '/server/services/alarm.service.ts',
        );
        const config = loadConfig();
        const app = await startApp(config);
        setAppContext(app);
        const realtime = attachRealtime(http, app);
        const mqtt = await app.ingest.start();
        const alarmJobs = startAlarmJobs(app.alarms, { intervalMs: config.ALARM_SWEEP_MS, log: app.log });
        app.log.info('dev: realtime, MQTT ingest and alarm jobs running', { mqtt: mqtt.url });
        http.once('close', () => {
          void (async () => {
            await alarmJobs.stop();
            await app.ingest.stop();
            await realtime.close();
            await app.shared.close();
            await app.db.close();
          })();
        });
      };
    },
  };
}
