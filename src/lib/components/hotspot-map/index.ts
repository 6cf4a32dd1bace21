export { default as HotspotMap } from './hotspot-map.svelte';
