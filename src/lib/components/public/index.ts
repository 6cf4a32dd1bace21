export { default as PublicCellMap } from './cell-map.svelte';
export { default as PublicTrendChart } from './trend-chart.svelte';
export { CATALOGUE, type CatalogueEntry } from './catalogue';
export { countText, rateText, streetTable, type StreetTableRow } from './figures';
