export { default as CaseMap } from './case-map.svelte';
