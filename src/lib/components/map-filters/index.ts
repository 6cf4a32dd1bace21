export { default as MapFilters } from './map-filters.svelte';
