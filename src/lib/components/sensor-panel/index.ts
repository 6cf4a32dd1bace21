export { default as SensorPanel } from './sensor-panel.svelte';
export type { SensorDetail, SensorReading } from './sensor-detail';
