export { default as ConnectionIndicator } from './connection-indicator.svelte';
