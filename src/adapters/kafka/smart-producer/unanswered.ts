/**
 * kafkajs 2.2.4 can resolve a sendBatch without writing some partitions: when the request to one
 * broker fails and, after a metadata refresh, those partitions' new leader is a broker that already
 * answered in the same call, its retry skips them and no result for them is returned. A record
 * whose partition has no result in the answer was not acknowledged and must be sent again.
 *
 * Splits a batch's records (in order) into those Kafka acknowledged and those left unanswered.
 * With acks=0 Kafka answers nothing, so every record counts as written.
 */
export function splitByAnswer<T extends { readonly routedPartition?: number | undefined }>(
  records: readonly T[],
  answeredPartitions: Iterable<number>,
  acks: -1 | 0 | 1,
): { written: readonly T[]; unanswered: T[] } {
  if (acks === 0) return { written: records, unanswered: [] };
  const answered = new Set(answeredPartitions);
  const unanswered = records.filter((p) => !answered.has(p.routedPartition ?? -1));
  if (unanswered.length === 0) return { written: records, unanswered };
  return { written: records.filter((p) => answered.has(p.routedPartition ?? -1)), unanswered };
}
