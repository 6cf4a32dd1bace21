// The JSON of the resource-allocation endpoints (/api/allocation/*): written once, used by the server and
// the browser. Counts are cases; "expected overdue" is over the plan horizon (`horizonWeeks`).

/** The model's assumptions, returned so every number can be recomputed by hand. */
export interface AllocationAssumptions {
  /** Plan horizon in weeks: forecasts, moves and expected overdue cover this many weeks. */
  horizonWeeks: number;
  /** Contract hours per staff member per week. */
  hoursPerStaff: number;
  /** Share of contract hours spent on cases (the rest: meetings, travel, training). */
  utilisation: number;
  /** Share of the measured sign-to-resolve time that is staff effort (the rest is waiting). */
  effortShare: number;
  /** No move leaves a unit with fewer staff than this. */
  minStaff: number;
  /** Most staff one move shifts. */
  maxStaffPerMove: number;
}

/** One department or street office: demand, capacity and the load between them. */
export interface UnitLoad {
  departmentId: number;
  code: string;
  name: string;
  nameEn: string;
  /** "street_office", "functional" or "service_center". */
  kind: string;
  /** The street a street office governs; null for other kinds. */
  streetId: number | null;
  districtId: number | null;
  /** Staff (or teams) the unit has. */
  staff: number;
  /** "stored": set by an admin; "demo": the seeded demo value (no row yet). */
  capacitySource: 'stored' | 'demo';
  /** Cases per week expected over the horizon (Holt-Winters on daily cases). */
  forecastCasesPerWeek: number;
  /** 80 % band of the weekly forecast. */
  forecastLower: number;
  forecastUpper: number;
  /** Cases open now; the plan clears them over the horizon. */
  backlog: number;
  /** Share of cases resolved in the last 8 weeks by their deadline; null when none were resolved. */
  onTimeRate: number | null;
  /** Mean hours from signing to resolution over the last 8 weeks; null when none were resolved. */
  handlingHours: number | null;
  /** Staff hours per case the model uses (handling hours × effort share, or a default). */
  effortHoursPerCase: number;
  /** Cases per week to work: forecast plus the backlog spread over the horizon. */
  demandCasesPerWeek: number;
  /** Staff hours per week the demand needs. */
  demandHoursPerWeek: number;
  /** Staff hours per week available for cases. */
  capacityHoursPerWeek: number;
  /** Cases per week the capacity can resolve. */
  throughputCasesPerWeek: number;
  /** Demand hours ÷ capacity hours: above 1 the unit falls behind; null when there is demand but no staff. */
  load: number | null;
  /** Cases expected to miss their deadline over the horizon. */
  expectedOverdue: number;
}

/** One side of a move, before and after it. */
export interface MoveSide {
  departmentId: number;
  name: string;
  staffBefore: number;
  staffAfter: number;
  demandCasesPerWeek: number;
  throughputBefore: number;
  throughputAfter: number;
  overdueBefore: number;
  overdueAfter: number;
}

/** "Move N staff from unit A to unit B for the next W weeks". */
export interface MoveRecommendation {
  kind: 'move';
  fromDepartmentId: number;
  toDepartmentId: number;
  /** Staff to move. */
  staff: number;
  /** For how many weeks. */
  weeks: number;
  /** Expected overdue of the two units together over the horizon, before and after. */
  expectedOverdueBefore: number;
  expectedOverdueAfter: number;
  /** expectedOverdueBefore − expectedOverdueAfter: what the ranking sorts on. */
  reduction: number;
  from: MoveSide;
  to: MoveSide;
  /** One sentence with the numbers behind it (English; the UI builds its own text from the fields). */
  reason: string;
}

/** "Add night patrols in grid cell X, 22:00–02:00". */
export interface NightPatrolRecommendation {
  kind: 'night_patrol';
  gridCellId: number;
  /** The grid cell's code (internal; people read the street and the cell number). */
  cell: string;
  streetId: number | null;
  /** The cell's number inside its street; absent in decisions stored before it existed. */
  cellNumber?: number | null;
  /** The street's Chinese and English names. */
  street?: string | null;
  streetEn?: string | null;
  window: '22:00–02:00';
  /** Reports in the window over the look-back period. */
  count: number;
  /** Reports at any hour over the same period. */
  total: number;
  /** count ÷ total. */
  share: number;
  reason: string;
}

/** A recommendation a leader may accept. */
export type Recommendation = MoveRecommendation | NightPatrolRecommendation;

/** One 7-day block of a street's demand: observed weeks have `actual`, future weeks a forecast. */
export interface DemandWeek {
  /** First day of the block (YYYY-MM-DD, Shanghai time). */
  week: string;
  /** Cases created in the street; null for future weeks. */
  actual: number | null;
  /** Hotline tickets received in the street; null for future weeks. */
  tickets: number | null;
  /** Forecast cases; null for observed weeks. */
  forecast: number | null;
  lower: number | null;
  upper: number | null;
}

/** A street's weekly demand, with the next week's forecast per category group. */
export interface StreetDemand {
  streetId: number;
  street: string;
  streetEn: string;
  weeks: DemandWeek[];
  /** Category groups (see case-categories.ts) with cases in the look-back period, largest forecast first. */
  groups: { group: string; lastWeek: number; forecastNextWeek: number }[];
}

/** GET /api/allocation. */
export interface AllocationResponse {
  /** When the plan was computed. */
  generatedAt: string;
  assumptions: AllocationAssumptions;
  units: UnitLoad[];
  /** Total expected overdue over the horizon if nothing changes. */
  totalExpectedOverdue: number;
  /** Staff moves ranked by reduction of expected overdue, largest first. */
  recommendations: MoveRecommendation[];
  /** Grid cells where a large share of reports come at night, most night reports first. */
  nightPatrols: NightPatrolRecommendation[];
  demandByStreet: StreetDemand[];
}

/** POST /api/allocation/what-if body: capacities to try (nothing is stored). */
export interface WhatIfRequest {
  changes: { departmentId: number; staff: number }[];
}

/** One changed unit in a what-if projection. */
export interface WhatIfUnit {
  departmentId: number;
  name: string;
  staffBefore: number;
  staffAfter: number;
  overdueBefore: number;
  overdueAfter: number;
  /** Loads as in UnitView (null: demand but no staff). */
  loadBefore: number | null;
  loadAfter: number | null;
}

/** POST /api/allocation/what-if → projected expected overdue over the horizon. */
export interface WhatIfResponse {
  horizonWeeks: number;
  units: WhatIfUnit[];
  totalBefore: number;
  totalAfter: number;
  /** totalBefore − totalAfter (negative: the change makes things worse). */
  reduction: number;
}

/** PUT /api/allocation/capacity body and answer. */
export interface CapacityRequest {
  departmentId: number;
  staff: number;
}

export interface UnitCapacity {
  departmentId: number;
  staff: number;
  updatedAt: string;
  updatedBy: number | null;
}

/** POST /api/allocation/decisions body: the recommendation as shown, and why it was accepted. */
export interface DecisionRequest {
  recommendation: Recommendation;
  note?: string | null;
}

/** A recorded decision: who accepted what, when. */
export interface AllocationDecision {
  id: number;
  decidedAt: string;
  userId: number | null;
  userName: string | null;
  /** The recommendation's kind: "move" or "night_patrol". */
  kind: string;
  /** The recommendation with its numbers, as accepted. */
  payload: Recommendation;
  note: string | null;
}

/** GET /api/allocation/decisions → newest first. */
export interface DecisionListResponse {
  decisions: AllocationDecision[];
}
