// The resume rule for sequenced deltas, shared by the browser store and the server's tests.
// Deltas from one server arrive in the order they were read, each covering (fromSeq, seq].

/** What a client should do with an incoming delta, given the sequence it has applied (null: no base yet). */
export type DeltaDecision = 'apply' | 'ignore' | 'gap';

export function decideDelta(appliedSeq: number | null, fromSeq: number, seq: number): DeltaDecision {
  // No snapshot yet: the snapshot will already contain whatever this delta says.
  if (appliedSeq === null) return 'ignore';
  // Already covered by what we have (read before our snapshot or resume).
  if (seq <= appliedSeq) return 'ignore';
  // Something between our sequence and this delta was never seen: ask the server to resume.
  if (fromSeq > appliedSeq) return 'gap';
  return 'apply';
}

/**
 * Server side: whether a client asking to resume from `sinceSeq` gets the changes since then or a fresh
 * snapshot. A sequence from the future (a database that was reset) or too many changes means snapshot.
 */
export function resumeMode(
  sinceSeq: number | null | undefined,
  currentSeq: number,
  changedSince: number,
  maxChanges: number,
): 'snapshot' | 'resume' {
  if (sinceSeq === null || sinceSeq === undefined || !Number.isSafeInteger(sinceSeq) || sinceSeq < 0)
    return 'snapshot';
  if (sinceSeq > currentSeq) return 'snapshot';
  if (changedSince > maxChanges) return 'snapshot';
  return 'resume';
}
