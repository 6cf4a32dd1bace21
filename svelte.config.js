import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // BUILD_DIR lets two builds (say, a developer's and a benchmark's) live side by side.
    adapter: adapter({ out: process.env.BUILD_DIR ?? 'build' }),
    alias: { $server: 'server' },
  },
};

export default config;
