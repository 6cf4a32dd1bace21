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
  },
};

export default config;
