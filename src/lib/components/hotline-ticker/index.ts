export { default as HotlineTicker } from './hotline-ticker.svelte';
