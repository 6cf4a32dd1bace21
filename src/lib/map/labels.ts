// Street-name labels: candidates from the streets GeoJSON and a greedy screen-space placement that drops
// a label when it would overlap a more important (larger) street's label.
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { Lang } from '$lib/i18n';

/** Properties of one street feature of GET /api/map/boundaries. */
export interface StreetProperties {
  id: number;
  code: string;
  name: string;
  nameEn: string;
  districtCode: string;
  districtName: string;
  districtNameEn: string;
  approximate: boolean;
  labelLon: number;
  labelLat: number;
}

export type StreetsCollection = FeatureCollection<Polygon | MultiPolygon, StreetProperties>;

/** One label the map may show. */
export interface StreetLabel {
  /** Street id: stable key. */
  id: number;
  text: string;
  position: [number, number];
  /** Larger streets are placed first. */
  priority: number;
}

/** Approximate planar area of a (multi)polygon in square degrees, good enough to rank labels. */
function roughArea(geometry: Polygon | MultiPolygon | null): number {
  if (!geometry) return 0;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let area = 0;
  for (const polygon of polygons) {
    const ring = polygon[0] ?? [];
    let twice = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      twice += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
    }
    area += Math.abs(twice) / 2;
  }
  return area;
}

export function streetLabels(streets: StreetsCollection, lang: Lang): StreetLabel[] {
  return streets.features
    .filter((f) => Number.isFinite(f.properties?.labelLon) && Number.isFinite(f.properties?.labelLat))
    .map((f) => {
      const p = f.properties;
      return {
        id: p.id,
        text: (lang === 'en' ? p.nameEn || p.name : p.name || p.nameEn) ?? p.code,
        position: [p.labelLon, p.labelLat] as [number, number],
        priority: roughArea(f.geometry),
      };
    });
}

/** Estimated on-screen box of a label: CJK glyphs are about one em wide, Latin ones about 0.6 em. */
export function labelSize(text: string, fontPx: number): [number, number] {
  let em = 0;
  for (const ch of text) em += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 1 : 0.6;
  return [em * fontPx, fontPx * 1.3];
}

/**
 * Keeps the labels that fit without overlapping, larger streets first; `project` gives screen pixels.
 * `marginPx` is the empty space kept around each label.
 */
export function placeLabels(
  labels: StreetLabel[],
  project: (position: [number, number]) => [number, number],
  fontPx: number,
  marginPx = 4,
): StreetLabel[] {
  const placed: { label: StreetLabel; box: [number, number, number, number] }[] = [];
  const ordered = [...labels].sort((a, b) => b.priority - a.priority || a.id - b.id);
  for (const label of ordered) {
    const [x, y] = project(label.position);
    const [w, h] = labelSize(label.text, fontPx);
    const box: [number, number, number, number] = [
      x - w / 2 - marginPx,
      y - h / 2 - marginPx,
      x + w / 2 + marginPx,
      y + h / 2 + marginPx,
    ];
    const overlaps = placed.some(
      ({ box: o }) => box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3],
    );
    if (!overlaps) placed.push({ label, box });
  }
  return placed.map((p) => p.label).sort((a, b) => a.id - b.id);
}
