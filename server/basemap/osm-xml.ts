// OpenStreetMap XML (.osm, as written by the OSM API, JOSM, osmium or OSMnx) to GeoJSON features: nodes
// with tags become points, ways become lines (or polygons when closed and area-like, decided by the
// caller). Relations are not resolved; multipolygon water and parks should come as GeoJSON instead.
import type { Feature, LineString, Point } from 'geojson';

export type OsmTags = Record<string, string>;

export interface OsmParse {
  points: Feature<Point, OsmTags>[];
  ways: Feature<LineString, OsmTags>[];
  /** Ways that name nodes the file does not have; they are dropped, not drawn half. */
  waysMissingNodes: number;
  relationsSkipped: number;
}

const ATTR = /([a-zA-Z_:]+)="([^"]*)"/g;

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(ATTR)) out[m[1]] = unescapeXml(m[2]);
  return out;
}

function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (whole, name, dec, hex) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[name as string] ?? whole;
  });
}

/** Thrown for input that is not OSM XML at all. */
export class OsmXmlError extends Error {}

/**
 * Parses the file's text in one pass over its elements. Tolerates any attribute order and both
 * `<node .../>` and `<node ...>…</node>` forms.
 */
export function parseOsmXml(text: string): OsmParse {
  if (!/<osm[\s>]/.test(text.slice(0, 4096)))
    throw new OsmXmlError('not OpenStreetMap XML: no <osm> element at the start of the file');
  const nodes = new Map<string, [number, number]>();
  const points: Feature<Point, OsmTags>[] = [];
  const ways: Feature<LineString, OsmTags>[] = [];
  let waysMissingNodes = 0;
  let relationsSkipped = 0;

  // Elements: <node …/>, <node …> … </node>, <way …> … </way>, <relation …> … </relation>.
  const element = /<(node|way|relation)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g;
  for (const m of text.matchAll(element)) {
    const kind = m[1];
    const attrs = attributes(m[2]);
    const body = m[4] ?? '';
    if (kind === 'relation') {
      relationsSkipped++;
      continue;
    }
    const tags: OsmTags = {};
    for (const t of body.matchAll(/<tag\b([^>]*?)\/>/g)) {
      const a = attributes(t[1]);
      if (a.k !== undefined && a.v !== undefined) tags[a.k] = a.v;
    }
    if (kind === 'node') {
      const lon = Number(attrs.lon);
      const lat = Number(attrs.lat);
      if (!attrs.id || !Number.isFinite(lon) || !Number.isFinite(lat)) continue;
      nodes.set(attrs.id, [lon, lat]);
      if (Object.keys(tags).length > 0)
        points.push({
          type: 'Feature',
          properties: { ...tags, osm_id: `node/${attrs.id}` },
          geometry: { type: 'Point', coordinates: [lon, lat] },
        });
      continue;
    }
    const refs = [...body.matchAll(/<nd\b[^>]*?ref="(\d+)"/g)].map((r) => r[1]);
    const coordinates: [number, number][] = [];
    let missing = false;
    for (const ref of refs) {
      const c = nodes.get(ref);
      if (!c) {
        missing = true;
        break;
      }
      coordinates.push(c);
    }
    if (missing) {
      waysMissingNodes++;
      continue;
    }
    if (coordinates.length < 2) continue;
    ways.push({
      type: 'Feature',
      properties: { ...tags, osm_id: `way/${attrs.id ?? ''}` },
      geometry: { type: 'LineString', coordinates },
    });
  }
  return { points, ways, waysMissingNodes, relationsSkipped };
}
