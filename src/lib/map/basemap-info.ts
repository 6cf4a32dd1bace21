// What the server tells the map about the deployment's basemap (GET /api/map/basemap): one type shared by
// server/basemap/archive.ts and the map style, with no imports so both sides can read it.

export interface BasemapInfo {
  minZoom: number;
  maxZoom: number;
  /** [west, south, east, north] in degrees. */
  bounds: [number, number, number, number];
  attribution: string;
  /** Layer ids in the archive (the style draws the Protomaps-schema ones it finds). */
  layers: string[];
}
