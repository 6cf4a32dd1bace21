// The live alarm list's apply rules, pure: what a client does with a snapshot and with each
// 'alarms:changed' frame. Used by the browser's AlarmStream and tested on their own.
import type { AlarmFeedItem, AlarmsChangedFrame, AlarmsSnapshotFrame } from './contract';
import { decideDelta, type DeltaDecision } from './sequence';

/** Critical first, then newest first, then highest id: the order of every alarm list. */
export function byUrgency(a: AlarmFeedItem, b: AlarmFeedItem): number {
  return b.severity - a.severity || b.openedAt.localeCompare(a.openedAt) || b.id - a.id;
}

/** The alarms not yet cleared, by id, from a snapshot. */
export function openFromSnapshot(frame: AlarmsSnapshotFrame): Map<number, AlarmFeedItem> {
  return new Map(frame.alarms.filter((a) => a.status !== 'cleared').map((a) => [a.id, a]));
}

/**
 * What to do with a frame when the client is at `appliedSeq`: 'resync' when the server's numbers went
 * back (its database was reset), otherwise the sequence rule shared with the sensor feed.
 */
export function decideAlarmFrame(
  appliedSeq: number | null,
  frame: Pick<AlarmsChangedFrame, 'fromSeq' | 'seq'>,
): DeltaDecision | 'resync' {
  if (appliedSeq !== null && frame.seq < frame.fromSeq) return 'resync';
  return decideDelta(appliedSeq, frame.fromSeq, frame.seq);
}

/** Applies a frame's alarms in place: cleared ones leave, others are added or replaced by a newer state. */
export function applyAlarms(open: Map<number, AlarmFeedItem>, alarms: readonly AlarmFeedItem[]): void {
  for (const a of alarms) {
    const known = open.get(a.id);
    if (known && known.seq > a.seq) continue; // never go back to an older state
    if (a.status === 'cleared') open.delete(a.id);
    else open.set(a.id, a);
  }
}

/** The `n` most urgent alarms. */
export function mostUrgent(open: ReadonlyMap<number, AlarmFeedItem>, n: number): AlarmFeedItem[] {
  return [...open.values()].sort(byUrgency).slice(0, n);
}
