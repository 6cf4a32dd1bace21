// The JSON of the public transparency view (/api/public/*, /public pages): written once, used by the server
// and the browser. Every count below the threshold is published as null with its `…Suppressed` flag set.

/** The datasets of the read API, in catalogue order. */
export const PUBLIC_DATASETS = ['summary', 'streets', 'departments', 'trend', 'cells'] as const;
export type PublicDataset = (typeof PUBLIC_DATASETS)[number];

/** Download formats offered per dataset (GET /api/public/download/<dataset>.<format>). */
export const PUBLIC_DOWNLOADS = {
  streets: ['csv'],
  departments: ['csv'],
  trend: ['csv'],
  cells: ['csv', 'geojson'],
} as const satisfies Partial<Record<PublicDataset, readonly ('csv' | 'geojson')[]>>;
export type DownloadDataset = keyof typeof PUBLIC_DOWNLOADS;
export type DownloadFormat = 'csv' | 'geojson';

/** The windows the cell map is offered for, in days. */
export const CELL_WINDOWS = [30, 90] as const;
export type CellWindow = (typeof CELL_WINDOWS)[number];

/** The licence of every dataset. */
export const PUBLIC_LICENCE = {
  /** SPDX identifier. */
  id: 'CC-BY-4.0',
  /** Human-readable name. */
  name: 'Creative Commons Attribution 4.0 International',
  /** The licence text. */
  url: 'https://creativecommons.org/licenses/by/4.0/',
} as const;

/** A count as published. */
export interface PublicCount {
  /** The count; null when suppressed. */
  count: number | null;
  /** True when the real count is below the threshold and hidden. */
  suppressed: boolean;
}

/** What every dataset carries about itself. */
export interface PublicMeta {
  /** When these figures were computed (ISO); they are served from cache for up to `cacheS` seconds. */
  generatedAt: string;
  /** Start of the window (ISO, inclusive). */
  since: string;
  /** End of the window (ISO, exclusive). */
  until: string;
  /** Counts from 1 to minCount-1 are suppressed. */
  minCount: number;
  /** Edge of the map's grid cells in metres. */
  cellM: number;
  /** Seconds a response may be cached. */
  cacheS: number;
  /** SPDX id of the licence (CC-BY-4.0). */
  licence: string;
}

/** GET /api/public/summary: the headline numbers of the last 12 months. */
export interface PublicSummary {
  meta: PublicMeta;
  /** Citizens' reports (tickets) received. */
  tickets: PublicCount;
  /** Reports received in the last 30 days. */
  tickets30d: PublicCount;
  /** Cases (work orders) opened. */
  cases: PublicCount;
  /** Cases resolved. */
  resolved: PublicCount;
  /** Share of resolved cases resolved by their deadline, 0–1; null when too few. */
  onTimeRate: number | null;
  /** Share of rated cases rated satisfied or partly satisfied, 0–1; null when too few. */
  satisfactionRate: number | null;
}

/** Reports and cases of one street and category group (in one month, or over the window). */
export interface PublicStreetRow {
  /** "YYYY-MM" (Shanghai time); null in the 12-month totals. */
  month: string | null;
  /** Null for reports outside every street or not yet placed. */
  streetCode: string | null;
  streetName: string | null;
  streetNameEn: string | null;
  districtName: string | null;
  districtNameEn: string | null;
  /** Category group code (大类). */
  group: string;
  groupName: string;
  groupNameEn: string;
  tickets: number | null;
  ticketsSuppressed: boolean;
  cases: number | null;
  casesSuppressed: boolean;
}

/** GET /api/public/streets. */
export interface PublicStreets {
  meta: PublicMeta;
  /** Per street × group × month. */
  months: PublicStreetRow[];
  /** Per street × group over the whole window. */
  totals: PublicStreetRow[];
}

/** One department's volumes and rates over the window. */
export interface PublicDepartmentRow {
  departmentCode: string;
  name: string;
  nameEn: string;
  /** "functional", "street_office" or "service_center". */
  kind: string;
  /** Cases assigned, opened in the window. */
  cases: number | null;
  casesSuppressed: boolean;
  /** Of those, resolved. */
  resolved: number | null;
  resolvedSuppressed: boolean;
  /** Resolved by the deadline / resolved with a deadline; null when that base is below the threshold. */
  onTimeRate: number | null;
  /** Rated by the citizen. */
  rated: number | null;
  ratedSuppressed: boolean;
  /** (Satisfied + partly) / rated; null when rated is below the threshold. */
  satisfactionRate: number | null;
}

/** GET /api/public/departments. */
export interface PublicDepartments {
  meta: PublicMeta;
  departments: PublicDepartmentRow[];
}

/** One month of the trend. */
export interface PublicTrendRow {
  /** "YYYY-MM" (Shanghai time). */
  month: string;
  tickets: number | null;
  ticketsSuppressed: boolean;
  cases: number | null;
  casesSuppressed: boolean;
  resolved: number | null;
  resolvedSuppressed: boolean;
}

/** GET /api/public/trend: the last 12 months, oldest first, every month present. */
export interface PublicTrend {
  meta: PublicMeta;
  months: PublicTrendRow[];
}

/** Reports in one grid cell. */
export interface PublicCellRow {
  /** Stable id "<metres>m:<ix>:<iy>". */
  cell: string;
  ix: number;
  iy: number;
  /** The cell's centre (not any report's place). */
  lon: number;
  lat: number;
  tickets: number | null;
  ticketsSuppressed: boolean;
}

/** GET /api/public/cells?days=30|90. */
export interface PublicCells {
  meta: PublicMeta;
  days: CellWindow;
  cells: PublicCellRow[];
}
