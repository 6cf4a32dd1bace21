export { default as Legend } from './legend.svelte';
