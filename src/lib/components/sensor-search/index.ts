export { default as SensorSearch } from './sensor-search.svelte';
export { findSensorByCode, type SensorLookup } from './find-sensor';
