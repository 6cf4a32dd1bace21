// The resource-allocation page's parts: the two d3 charts, the recommendations, decisions and what-if.
export { default as LoadChart } from './load-chart.svelte';
export { default as DemandChart } from './demand-chart.svelte';
export { default as Recommendations } from './recommendations.svelte';
export { default as DecisionList } from './decision-list.svelte';
export { default as WhatIf } from './what-if.svelte';
export { asLoad, busiestStreet, oneDecimal, patrolCellName, percent } from './figures';
