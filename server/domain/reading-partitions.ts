// Reading history is partitioned by UTC day (migration 0015): the names and ranges of those partitions,
// and which of them retention may drop. Pure; the SQL is in readings-partitions.repository.ts.

const DAY_MS = 86_400_000;
/** Every daily partition's name is this plus the day as YYYYMMDD. */
export const READINGS_PARTITION_PREFIX = 'sensor_readings_p';
const NAME = /^sensor_readings_p(\d{4})(\d{2})(\d{2})$/;

/** One daily partition: rows with from <= ts < to. */
export interface DayPartition {
  name: string;
  from: Date;
  to: Date;
}

/** Midnight UTC starting the day that contains `at`. */
export function utcDayStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

/** The partition holding the UTC day that contains `at`. */
export function dayPartition(at: Date): DayPartition {
  const from = utcDayStart(at);
  const ymd = from.toISOString().slice(0, 10).replaceAll('-', '');
  return { name: READINGS_PARTITION_PREFIX + ymd, from, to: new Date(from.getTime() + DAY_MS) };
}

/** The partition a name stands for; null for names not made by dayPartition (left alone by retention). */
export function partitionOfName(name: string): DayPartition | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const from = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // Date.UTC rolls 20261332 over into another day: such a name was not made here.
  if (Number.isNaN(from.getTime()) || dayPartition(from).name !== name) return null;
  return dayPartition(from);
}

/** Today's partition and the `daysAhead` following ones, oldest first. */
export function partitionsAhead(now: Date, daysAhead: number): DayPartition[] {
  const today = utcDayStart(now).getTime();
  return Array.from({ length: daysAhead + 1 }, (_, i) => dayPartition(new Date(today + i * DAY_MS)));
}

/** Readings older than this are past retention. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/**
 * The daily partitions (by name) whose every row is older than `cutoff`: their day ends at or before it.
 * A partition of the day the cutoff falls in stays (part of it is still kept), and so does any table not
 * named by dayPartition. Oldest first.
 */
export function partitionsPast(names: readonly string[], cutoff: Date): DayPartition[] {
  return names
    .map(partitionOfName)
    .filter((p): p is DayPartition => p !== null && p.to.getTime() <= cutoff.getTime())
    .sort((a, b) => a.from.getTime() - b.from.getTime());
}
