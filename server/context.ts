// Hands the process's App to SvelteKit's bundled server code. The production entry and the dev plugin
// set it; hooks read it. A global is the one bridge between the two module graphs (ours and Vite's bundle).
import type { App } from './app';

const KEY = Symbol.for('citynerve.app');
type Holder = { [KEY]?: App };

export function setAppContext(app: App | undefined): void {
  (globalThis as Holder)[KEY] = app;
}

export function getAppContext(): App {
  const app = (globalThis as Holder)[KEY];
  if (!app)
    throw new Error('CityNerve is not started: run it with `npm start` (server/index.ts) or `npm run dev`.');
  return app;
}
