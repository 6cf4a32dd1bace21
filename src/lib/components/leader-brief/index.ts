export { default as LeaderBrief } from './leader-brief.svelte';
