// Sensor readings per family and the rules that turn a reading into a state (0 normal, 1 warning,
// 2 alarm) or a silence into "offline" (3). Also generates plausible readings for the demo simulator.
// Pure: no I/O, no clock reads; randomness comes in as a seeded Random.
import type { SensorStateCode } from '../../src/lib/streams/contract';
import type { Random } from './random';

export type { SensorStateCode };

/** The sensor families the platform understands (sensor_types.code). */
export type SensorFamily = 'manhole' | 'hydrant' | 'elevator' | 'drain' | 'streetlight' | 'gas';

export const SENSOR_FAMILY_CODES: readonly SensorFamily[] = [
  'manhole',
  'hydrant',
  'elevator',
  'drain',
  'streetlight',
  'gas',
];

/** 井盖: smart manhole cover. */
export interface ManholeReading {
  /** Tilt of the cover from horizontal, degrees. */
  tilt_deg: number;
  /** Horizontal displacement of the cover from its seat, mm. */
  displacement_mm: number;
  /** The cover is off its frame (lifted, stolen or knocked away). */
  open: boolean;
  /** Depth of water standing in the shaft, cm. */
  water_level_cm: number;
  /** Remaining battery charge, per cent. */
  battery_pct: number;
}

/** 消防栓: fire hydrant with pressure and flow sensing. */
export interface HydrantReading {
  /** Static water pressure at the hydrant, MPa. */
  pressure_mpa: number;
  /** Leak detected at the valve or outlets. */
  leak: boolean;
  /** Hydrant opened, knocked or its cap removed without authorisation. */
  tamper: boolean;
  /** Water flowing out, litres per minute (0 when closed). */
  flow_lpm: number;
}

/** 老旧电梯: an old residential elevator with a retrofitted monitor. */
export interface ElevatorReading {
  /** Controller fault code; 0 means no fault. */
  fault_code: number;
  /** Passengers trapped in the car (困人). */
  trapped: boolean;
  /** Door failed to open or close properly. */
  door_fault: boolean;
  /** The car is moving. */
  running: boolean;
  /** The in-car alarm button is pressed. */
  alarm_button: boolean;
}

/** 排水液位: water level gauge in a drainage well. */
export interface DrainReading {
  /** Water level above the well bottom, cm (the well is about 250 cm deep). */
  level_cm: number;
}

/** 路灯: street light controller. */
export interface StreetlightReading {
  /** The controller has switched the lamp on. */
  lamp_on: boolean;
  /** Current drawn, amperes. */
  current_a: number;
  /** The controller reports a fault. */
  fault: boolean;
}

/** 燃气烟感: combined methane and smoke detector in old housing. */
export interface GasReading {
  /** Methane concentration, ppm (the lower explosive limit is 50,000 ppm). */
  ch4_ppm: number;
  /** Smoke detected. */
  smoke: boolean;
}

/** The reading type of each family. */
export interface ReadingByFamily {
  manhole: ManholeReading;
  hydrant: HydrantReading;
  elevator: ElevatorReading;
  drain: DrainReading;
  streetlight: StreetlightReading;
  gas: GasReading;
}

export type SensorReading = ReadingByFamily[SensorFamily];

/**
 * Thresholds. A value at or beyond a threshold triggers it ("≥ warn" / "< low"). Sources: the cover and
 * drain numbers follow typical smart-manhole and drainage-monitoring products; hydrant pressure follows
 * GB 50974 (outdoor hydrants need at least 0.14 MPa; 0.10 MPa is the firefighting minimum); methane levels
 * follow GB 15322 (household alarms at 3-25 % of the lower explosive limit).
 */
export const THRESHOLDS = {
  manhole: {
    /** Tilt at or above this is a warning (cover unseated). */
    tiltWarnDeg: 5,
    /** Tilt at or above this is an alarm (a hole a wheel or foot can fall into). */
    tiltAlarmDeg: 15,
    /** Displacement at or above this is a warning. */
    displacementWarnMm: 10,
    /** Displacement at or above this is an alarm. */
    displacementAlarmMm: 30,
    /** Water at or above this depth is a warning (drain backing up). */
    waterWarnCm: 120,
    /** Water at or above this depth is an alarm (about to flood the street). */
    waterAlarmCm: 180,
    /** Battery below this is a warning (replace before the device goes silent). */
    batteryWarnPct: 15,
  },
  hydrant: {
    /** Pressure below this is a warning (below the code minimum for outdoor hydrants). */
    pressureWarnMpa: 0.14,
    /** Pressure below this is an alarm (not enough to fight a fire). */
    pressureAlarmMpa: 0.1,
    /** Pressure at or above this is a warning (pipe-burst risk). */
    pressureHighWarnMpa: 0.8,
    /** Flow at or above this is a warning (unauthorised use or a leak). */
    flowWarnLpm: 5,
    /** Flow at or above this is an alarm (hydrant broken off or fully open). */
    flowAlarmLpm: 300,
  },
  drain: {
    /** Level at or above this is a warning (surcharging). */
    levelWarnCm: 180,
    /** Level at or above this is an alarm (overflow onto the street imminent). */
    levelAlarmCm: 220,
  },
  streetlight: {
    /** Current at or above this is an alarm (short circuit or leakage: electrocution risk). */
    currentAlarmA: 3,
    /** A lamp switched on drawing less than this is out (warning). */
    lampOutBelowA: 0.1,
    /** A lamp switched off drawing at least this is stuck on or leaking (warning). */
    offLeakA: 0.3,
  },
  gas: {
    /** Methane at or above this is a warning (2 % of the lower explosive limit). */
    ch4WarnPpm: 1000,
    /** Methane at or above this is an alarm (10 % of the lower explosive limit). */
    ch4AlarmPpm: 5000,
  },
} as const;

const worst = (...states: (0 | 1 | 2)[]): 0 | 1 | 2 => Math.max(0, ...states) as 0 | 1 | 2;
const level = (value: number, warn: number, alarm: number): 0 | 1 | 2 =>
  value >= alarm ? 2 : value >= warn ? 1 : 0;

/** The state a reading puts its sensor in: 0 normal, 1 warning, 2 alarm (the worst rule wins). */
export function classifyReading<F extends SensorFamily>(family: F, reading: ReadingByFamily[F]): 0 | 1 | 2 {
  switch (family) {
    case 'manhole': {
      const r = reading as ManholeReading;
      const t = THRESHOLDS.manhole;
      return worst(
        r.open ? 2 : 0,
        level(r.tilt_deg, t.tiltWarnDeg, t.tiltAlarmDeg),
        level(r.displacement_mm, t.displacementWarnMm, t.displacementAlarmMm),
        level(r.water_level_cm, t.waterWarnCm, t.waterAlarmCm),
        r.battery_pct < t.batteryWarnPct ? 1 : 0,
      );
    }
    case 'hydrant': {
      const r = reading as HydrantReading;
      const t = THRESHOLDS.hydrant;
      const pressure = r.pressure_mpa < t.pressureAlarmMpa ? 2 : r.pressure_mpa < t.pressureWarnMpa ? 1 : 0;
      return worst(
        r.tamper ? 2 : 0,
        r.leak ? 1 : 0,
        pressure,
        r.pressure_mpa >= t.pressureHighWarnMpa ? 1 : 0,
        level(r.flow_lpm, t.flowWarnLpm, t.flowAlarmLpm),
      );
    }
    case 'elevator': {
      const r = reading as ElevatorReading;
      return worst(r.trapped || r.alarm_button ? 2 : 0, r.fault_code !== 0 || r.door_fault ? 1 : 0);
    }
    case 'drain': {
      const r = reading as DrainReading;
      return level(r.level_cm, THRESHOLDS.drain.levelWarnCm, THRESHOLDS.drain.levelAlarmCm);
    }
    case 'streetlight': {
      const r = reading as StreetlightReading;
      const t = THRESHOLDS.streetlight;
      return worst(
        r.current_a >= t.currentAlarmA ? 2 : 0,
        r.fault ? 1 : 0,
        r.lamp_on && r.current_a < t.lampOutBelowA ? 1 : 0,
        !r.lamp_on && r.current_a >= t.offLeakA ? 1 : 0,
      );
    }
    case 'gas': {
      const r = reading as GasReading;
      return worst(r.smoke ? 2 : 0, level(r.ch4_ppm, THRESHOLDS.gas.ch4WarnPpm, THRESHOLDS.gas.ch4AlarmPpm));
    }
    default:
      throw new Error(`unknown sensor family "${family as string}"`);
  }
}

/**
 * True when a device has been silent for longer than its family's heartbeat window, i.e. its state
 * is 3 (offline) whatever its last reading said. A device that never reported is offline.
 */
export function isOffline(lastReportAt: Date | null, now: Date, heartbeatSeconds: number): boolean {
  if (!lastReportAt) return true;
  return now.getTime() - lastReportAt.getTime() > heartbeatSeconds * 1000;
}

/** The state to show: offline when silent too long, otherwise what the last reading says. */
export function sensorStateAt(
  readingState: 0 | 1 | 2,
  lastReportAt: Date | null,
  now: Date,
  heartbeatSeconds: number,
): SensorStateCode {
  return isOffline(lastReportAt, now, heartbeatSeconds) ? 3 : readingState;
}

/** Field name → JS type of each family's reading, for validating untrusted payloads. */
const FIELDS: { [F in SensorFamily]: Record<keyof ReadingByFamily[F], 'number' | 'boolean'> } = {
  manhole: {
    tilt_deg: 'number',
    displacement_mm: 'number',
    open: 'boolean',
    water_level_cm: 'number',
    battery_pct: 'number',
  },
  hydrant: { pressure_mpa: 'number', leak: 'boolean', tamper: 'boolean', flow_lpm: 'number' },
  elevator: {
    fault_code: 'number',
    trapped: 'boolean',
    door_fault: 'boolean',
    running: 'boolean',
    alarm_button: 'boolean',
  },
  drain: { level_cm: 'number' },
  streetlight: { lamp_on: 'boolean', current_a: 'number', fault: 'boolean' },
  gas: { ch4_ppm: 'number', smoke: 'boolean' },
};

/** Checks an untrusted value against a family's reading shape; returns a message naming the first bad field, or null. */
export function readingError(family: SensorFamily, value: unknown): string | null {
  const fields = FIELDS[family] as Record<string, 'number' | 'boolean'> | undefined;
  if (!fields) return `unknown sensor family "${family}"`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'reading must be an object';
  for (const [name, type] of Object.entries(fields)) {
    const v = (value as Record<string, unknown>)[name];
    if (type === 'number' ? typeof v !== 'number' || !Number.isFinite(v) : typeof v !== 'boolean') {
      return `${name} must be a ${type === 'number' ? 'finite number' : 'boolean'}`;
    }
  }
  return null;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const clamp = (x: number, min: number, max: number) => Math.min(max, Math.max(min, x));

/** Context a reading depends on. */
export interface ReadingContext {
  /** Street lights are switched on between dusk and dawn. */
  night: boolean;
}

/** A healthy reading with realistic noise; always classifies as 0. */
export function normalReading<F extends SensorFamily>(
  family: F,
  rnd: Random,
  ctx: ReadingContext = { night: false },
): ReadingByFamily[F] {
  const readings: { [K in SensorFamily]: () => ReadingByFamily[K] } = {
    manhole: () => ({
      tilt_deg: round(clamp(Math.abs(rnd.normal(0.8, 0.6)), 0, 3), 1),
      displacement_mm: round(clamp(Math.abs(rnd.normal(1.5, 1.2)), 0, 6), 1),
      open: false,
      water_level_cm: Math.round(clamp(Math.abs(rnd.normal(25, 18)), 0, 90)),
      battery_pct: Math.round(rnd.uniform(35, 100)),
    }),
    hydrant: () => ({
      pressure_mpa: round(clamp(rnd.normal(0.3, 0.04), 0.18, 0.6), 3),
      leak: false,
      tamper: false,
      flow_lpm: rnd.chance(0.05) ? round(rnd.uniform(0, 2), 1) : 0,
    }),
    elevator: () => ({
      fault_code: 0,
      trapped: false,
      door_fault: false,
      running: rnd.chance(0.45),
      alarm_button: false,
    }),
    drain: () => ({ level_cm: Math.round(clamp(rnd.normal(60, 25), 5, 150)) }),
    streetlight: () =>
      ctx.night
        ? { lamp_on: true, current_a: round(clamp(rnd.normal(0.75, 0.08), 0.4, 1.2), 2), fault: false }
        : { lamp_on: false, current_a: round(rnd.uniform(0, 0.05), 2), fault: false },
    gas: () => ({ ch4_ppm: Math.round(clamp(Math.abs(rnd.normal(5, 4)), 0, 200)), smoke: false }),
  };
  return readings[family]();
}

/**
 * A reading that classifies exactly as `severity` (1 warning, 2 alarm): a healthy reading with one
 * realistic fault applied (a tilted cover, a trapped passenger, a methane leak, …).
 */
export function faultReading<F extends SensorFamily>(
  family: F,
  severity: 1 | 2,
  rnd: Random,
  ctx: ReadingContext = { night: false },
): ReadingByFamily[F] {
  const base = normalReading(family, rnd, ctx);
  const alarm = severity === 2;
  const faults: { [K in SensorFamily]: (r: ReadingByFamily[K]) => Partial<ReadingByFamily[K]> } = {
    manhole: () =>
      rnd.pick<() => Partial<ManholeReading>>(
        alarm
          ? [
              () => ({ open: true, tilt_deg: round(rnd.uniform(0, 3), 1) }),
              () => ({ tilt_deg: round(rnd.uniform(16, 40), 1) }),
              () => ({ displacement_mm: round(rnd.uniform(32, 80), 1) }),
              () => ({ water_level_cm: Math.round(rnd.uniform(185, 260)) }),
            ]
          : [
              () => ({ tilt_deg: round(rnd.uniform(6, 12), 1) }),
              () => ({ displacement_mm: round(rnd.uniform(12, 25), 1) }),
              () => ({ water_level_cm: Math.round(rnd.uniform(125, 170)) }),
              () => ({ battery_pct: Math.round(rnd.uniform(3, 14)) }),
            ],
      )(),
    hydrant: () =>
      rnd.pick<() => Partial<HydrantReading>>(
        alarm
          ? [
              () => ({ pressure_mpa: round(rnd.uniform(0.02, 0.09), 3) }),
              () => ({ tamper: true }),
              () => ({ flow_lpm: Math.round(rnd.uniform(320, 900)), tamper: true }),
            ]
          : [
              () => ({ pressure_mpa: round(rnd.uniform(0.105, 0.135), 3) }),
              () => ({ leak: true, flow_lpm: round(rnd.uniform(0, 3), 1) }),
              () => ({ flow_lpm: Math.round(rnd.uniform(8, 60)) }),
              () => ({ pressure_mpa: round(rnd.uniform(0.82, 0.95), 3) }),
            ],
      )(),
    elevator: () =>
      rnd.pick<() => Partial<ElevatorReading>>(
        alarm
          ? [
              () => ({ trapped: true, running: false, fault_code: rnd.pick([0, 12, 35]) }),
              () => ({ alarm_button: true }),
            ]
          : [
              () => ({ fault_code: rnd.pick([12, 21, 35, 47, 54, 61]), running: false }),
              () => ({ door_fault: true, running: false }),
            ],
      )(),
    drain: () => ({ level_cm: Math.round(alarm ? rnd.uniform(222, 300) : rnd.uniform(182, 215)) }),
    streetlight: (r) =>
      alarm
        ? { current_a: round(rnd.uniform(3.2, 6), 2) }
        : rnd.pick([
            () => ({ fault: true }),
            // A lamp that should be on but draws nothing, or one stuck on in daylight.
            () =>
              r.lamp_on
                ? { current_a: round(rnd.uniform(0, 0.05), 2) }
                : { current_a: round(rnd.uniform(0.35, 0.9), 2) },
          ])(),
    gas: () =>
      alarm
        ? rnd.pick([() => ({ ch4_ppm: Math.round(rnd.uniform(5200, 15_000)) }), () => ({ smoke: true })])()
        : { ch4_ppm: Math.round(rnd.uniform(1100, 4500)) },
  };
  const patch = (faults[family] as (r: ReadingByFamily[F]) => Partial<ReadingByFamily[F]>)(base);
  return { ...base, ...patch };
}
