// UI components, one folder each.
export { ConnectionIndicator } from './connection-indicator';
export { HotlineTicker } from './hotline-ticker';
export { LanguageSwitch } from './language-switch';
export { Legend } from './legend';
export { MapFilters } from './map-filters';
export { SensorPanel, type SensorDetail, type SensorReading } from './sensor-panel';
export { SensorSearch } from './sensor-search';
