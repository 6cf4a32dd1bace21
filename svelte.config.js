import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // BUILD_DIR lets two builds (say, a developer's and a benchmark's) live side by side.
    adapter: adapter({ out: process.env.BUILD_DIR ?? 'build' }),
    alias: { $server: 'server' },
    // SvelteKit's own check refuses every cross-origin (or Origin-less) form POST, which would refuse
    // Open311 clients posting form-encoded requests from their servers. The same check, minus the Open311
    // path, runs in src/hooks.server.ts (formPostFromElsewhere).
    csrf: { trustedOrigins: ['*'] },
    // No inline script but SvelteKit's own bootstrap (hashed when prerendered, a nonce otherwise). Styles
    // may be inline: Svelte renders style="" attributes and transitions add <style> elements. maplibre
    // starts its worker from a blob: URL; 'self' covers same-origin ws:/wss: for Socket.IO. frame-ancestors
    // is added per path by src/hooks.server.ts (the wall may be framed by WALL_FRAME_ANCESTORS).
    csp: {
      mode: 'auto',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:'],
        'font-src': ['self', 'data:'],
        'connect-src': ['self'],
        'worker-src': ['self', 'blob:'],
        'child-src': ['self', 'blob:'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
      },
    },
  },
};

export default config;
