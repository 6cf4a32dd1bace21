// The leaders' wall: panels, banner, header, and the scene schedule and clock they run on.
export { default as WallHeader } from './wall-header.svelte';
export { default as StaleBanner } from './stale-banner.svelte';
export { default as AlarmPanel } from './alarm-panel.svelte';
export { default as CasePanel } from './case-panel.svelte';
export { default as HotlinePanel } from './hotline-panel.svelte';
export { default as HotspotPanel } from './hotspot-panel.svelte';
export { default as RankingPanel } from './ranking-panel.svelte';
export { SceneRotation } from './rotation.svelte';
export { buildScenes, areasOf, scheduleOf, type WallScene, type SceneArea } from './scenes';
