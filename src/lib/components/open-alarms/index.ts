export { default as OpenAlarms } from './open-alarms.svelte';
