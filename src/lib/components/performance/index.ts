// The performance pages' parts: the score trend and KPI bar charts (d3), the score explanations and the
// pure figures behind the ranking, the unit page and the meeting mode.
export { default as ScoreTrend } from './score-trend.svelte';
export { default as KpiBars } from './kpi-bars.svelte';
export { default as ScoreItems } from './score-items.svelte';
export * from './figures';
export { default as MeetingHeadline } from './meeting-headline.svelte';
export { default as MeetingRanking } from './meeting-ranking.svelte';
export { default as MeetingUnit } from './meeting-unit.svelte';
