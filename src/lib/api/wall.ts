// The JSON of the leaders' wall (/api/wall/summary) and its scene schedule: written once, used by the server
// and the browser. Aggregates only: no case text, no caller, nothing a wall display may not show.

/** Scene kinds a schedule is made of, in the order WALL_SCENES lists them. */
export const WALL_SCENE_KINDS = ['city', 'districts', 'streets', 'hotspots'] as const;
/** city: both districts; districts: each district; streets: each street; hotspots: each hot-spot close up. */
export type WallSceneKind = (typeof WALL_SCENE_KINDS)[number];

/** How the wall rotates and when it calls its data stale (from WALL_* settings; the URL may override). */
export interface WallSchedule {
  scenes: WallSceneKind[];
  /** Seconds each scene stays. */
  seconds: number;
  /** No live frame for this many seconds (or a dropped socket) shows the stale banner. */
  staleSeconds: number;
}

/** One unit's open cases by deadline. */
export interface WallUnitCases {
  departmentId: number | null;
  name: string | null;
  nameEn: string | null;
  open: number;
  overdue: number;
  dueSoon: number;
}

/** A significant hot-spot, placed for a close-up. */
export interface WallHotspot {
  ix: number;
  iy: number;
  count: number;
  /** Mean reports per window before. */
  baseline: number;
  trend: 'new' | 'intensifying' | 'persistent' | 'diminishing';
  streets: { name: string; nameEn: string }[];
  /** [lon, lat] of the cell's centre. */
  center: [number, number];
  /** [west, south, east, north] of the cell. */
  bounds: [number, number, number, number];
}

/** GET /api/wall/summary. Each part is null when it could not be computed (the others still show). */
export interface WallSummary {
  /** When the server computed it (ISO 8601). */
  at: string;
  cases: {
    open: number;
    overdue: number;
    dueSoon: number;
    /** Units with overdue or due-soon cases, the most overdue first (at most 6). */
    units: WallUnitCases[];
  } | null;
  hotline: {
    today: number;
    normalSoFar: number | null;
    normalDay: number | null;
    change: number | null;
    baselineDays: number;
    hours: { hour: number; today: number | null; normal: number | null }[];
  } | null;
  hotspots: {
    /** Window in days. */
    days: number;
    /** Reports in the window, all cells. */
    total: number;
    /** Significant hot-spots, hottest first (at most 5). */
    cells: WallHotspot[];
  } | null;
  ranking: {
    month: string;
    /** Best first. */
    units: {
      departmentId: number;
      name: string;
      nameEn: string;
      rank: number;
      score: number;
      max: number;
      /** Score minus last month's. */
      change: number;
    }[];
  } | null;
}
