// Map module parts that are safe to import anywhere (no maplibre); import './map-controller' dynamically.
export { STATE_RGBA, stateCss } from './colors';
export { installTestHook, type CityNerveTestHook } from './test-hook';
export type { MapController, MapControllerOptions } from './map-controller';
