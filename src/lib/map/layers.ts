// Pure deck.gl layer factories: cheap descriptions with stable ids, recreated on every change. Data
// references only change when the underlying data did, so deck.gl re-uploads nothing else.
import type { Layer } from '@deck.gl/core';
import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import { ABNORMAL_OUTLINE, LABEL_HALO_RGBA, LABEL_RGBA, STATE_RGBA } from './colors';
import type { StreetLabel } from './labels';
import type { BinaryPoints } from './sensor-data';
import type { CellPoints, SensorLayerData } from './sensor-view';

/** Positions are [dLon, dLat] from coordinateOrigin (the value of COORDINATE_SYSTEM.LNGLAT_OFFSETS). */
const LNGLAT_OFFSETS = 'lnglat-offsets';

export const LABEL_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", sans-serif';
export const LABEL_FONT_PX = 13;

/**
 * Normal sensors aggregated into grid cells at city zoom, each cell a round dot at its centre: area by
 * count, muted colour tinted by the worst state inside, opacity by density. Dots (not squares) so the
 * district reads as texture rather than a checkerboard; they never touch, so the basemap shows between.
 */
export function sensorCellsLayer(data: SensorLayerData, cells: CellPoints): ScatterplotLayer {
  return new ScatterplotLayer({
    id: 'sensor-cells',
    data: cells,
    coordinateSystem: LNGLAT_OFFSETS,
    coordinateOrigin: data.origin,
    // Metres: the dots keep their place in the grid while the camera zooms within a bucket.
    radiusUnits: 'meters',
    radiusMinPixels: 1.5,
    stroked: false,
    filled: true,
    antialiasing: true,
    pickable: false,
  });
}

/** Normal sensors one by one at street zoom (only those in and around the viewport). */
export function normalSensorsLayer(data: SensorLayerData, points: BinaryPoints): ScatterplotLayer {
  return new ScatterplotLayer({
    id: 'sensors-normal',
    data: points,
    coordinateSystem: LNGLAT_OFFSETS,
    coordinateOrigin: data.origin,
    // Metres, so the dots grow to clickable size as the user zooms in.
    radiusUnits: 'meters',
    getRadius: 14,
    radiusMinPixels: 2,
    radiusMaxPixels: 5,
    getFillColor: STATE_RGBA[0],
    stroked: false,
    filled: true,
    // Picked on the CPU by the controller (see pickSensor): no GPU picking pass on every mouse move.
    pickable: false,
  });
}

/** Warning, alarm and offline sensors, larger and outlined, so they stand out at any zoom. */
export function abnormalSensorsLayer(data: SensorLayerData): ScatterplotLayer {
  return new ScatterplotLayer({
    id: 'sensors-abnormal',
    data: data.abnormal,
    coordinateSystem: LNGLAT_OFFSETS,
    coordinateOrigin: data.origin,
    radiusUnits: 'pixels',
    stroked: true,
    filled: true,
    getLineColor: ABNORMAL_OUTLINE,
    lineWidthUnits: 'pixels',
    getLineWidth: 1.5,
    pickable: false,
  });
}

/** The sensor layers for one layer-data object, bottom to top. */
export function sensorLayers(data: SensorLayerData): Layer[] {
  const layers: Layer[] = [];
  if (data.cells) layers.push(sensorCellsLayer(data, data.cells));
  if (data.normal) layers.push(normalSensorsLayer(data, data.normal));
  layers.push(abnormalSensorsLayer(data));
  return layers;
}

/** Street names at their label points. */
export function streetLabelLayer(labels: StreetLabel[]): TextLayer<StreetLabel> {
  return new TextLayer<StreetLabel>({
    id: 'street-labels',
    data: labels,
    getPosition: (d) => d.position,
    getText: (d) => d.text,
    getSize: LABEL_FONT_PX,
    sizeUnits: 'pixels',
    getColor: LABEL_RGBA,
    characterSet: 'auto',
    fontFamily: LABEL_FONT_FAMILY,
    fontWeight: 500,
    fontSettings: { sdf: true, fontSize: 48, buffer: 6 },
    outlineWidth: 3,
    outlineColor: LABEL_HALO_RGBA,
    getTextAnchor: 'middle',
    getAlignmentBaseline: 'center',
    pickable: false,
  });
}
