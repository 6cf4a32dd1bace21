export { default as ReplayBar } from './replay-bar.svelte';
