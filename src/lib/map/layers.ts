// Pure deck.gl layer factories: cheap descriptions with stable ids, recreated on every change. Data
// references only change when the underlying data did, so deck.gl re-uploads nothing else.
import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import { ABNORMAL_OUTLINE, LABEL_HALO_RGBA, LABEL_RGBA } from './colors';
import type { StreetLabel } from './labels';
import type { SensorLayerData } from './sensor-data';

/** Positions are [dLon, dLat] from coordinateOrigin (the value of COORDINATE_SYSTEM.LNGLAT_OFFSETS). */
const LNGLAT_OFFSETS = 'lnglat-offsets';

export const LABEL_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", sans-serif';
export const LABEL_FONT_PX = 13;

/** Every sensor as a small dot coloured by state. */
export function allSensorsLayer(data: SensorLayerData): ScatterplotLayer {
  return new ScatterplotLayer({
    id: 'sensors-all',
    data: data.all,
    coordinateSystem: LNGLAT_OFFSETS,
    coordinateOrigin: data.origin,
    // Metres, so a city-wide view of many sensors stays a light speckle over the streets and they
    // grow to clickable dots as the user zooms in.
    radiusUnits: 'meters',
    getRadius: 14,
    radiusMinPixels: 1.2,
    radiusMaxPixels: 5,
    stroked: false,
    filled: true,
    pickable: false,
  });
}

/** Warning, alarm and offline sensors again, larger and outlined, so they stand out at any zoom. */
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
    // Picked on the CPU by the controller (see pickSensor): no GPU picking pass on every mouse move.
    pickable: false,
  });
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
