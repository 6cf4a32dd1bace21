// The JSON of the hot-spot endpoints: written once, used by the server and the browser.
import type { SystemText } from './system-text';

export type HotspotTrend = 'new' | 'intensifying' | 'persistent' | 'diminishing';
export type HotspotSource = 'tickets' | 'cases' | 'alarms';

/** One hot (or just faded) grid cell. */
export interface HotspotView {
  ix: number;
  iy: number;
  /** The cell's ring [lon, lat][] for the map. */
  polygon: [number, number][];
  /** Reports in the current window. */
  count: number;
  /** Mean reports per window in the windows before. */
  baseline: number;
  /** Gi* z-score now, and in the earlier windows (oldest first). */
  z: number;
  history: number[];
  /** False-discovery-adjusted p-value. */
  q: number;
  significant: boolean;
  trend: HotspotTrend;
  /** Streets the cell touches. */
  streets: { name: string; nameEn: string }[];
}

/** GET /api/hotspots. */
export interface HotspotsResponse {
  source: HotspotSource;
  category: string | null;
  days: number;
  cellMetres: number;
  /** Windows compared (the current one last). */
  windows: number;
  to: string;
  /** Cells in the study area. */
  cells: number;
  /** Reports in the current window, all cells. */
  total: number;
  alpha: number;
  hotspots: HotspotView[];
  /** Server time spent, ms. */
  ms: number;
}

/** GET /api/hotspots/reports: what lies behind one cell. */
export interface HotspotReportsResponse {
  reports: {
    id: number;
    at: string;
    category: string | null;
    /** The ticket's words, the case's stored title, or an alarm's sensor code. */
    summary: string;
    caseCode: string | null;
    /** Alarms: the rule that fired (shown by name). */
    rule?: string | null;
    /** Cases the system opened: the neutral form of their title. */
    systemText?: SystemText | null;
  }[];
}
