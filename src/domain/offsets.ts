/** One poll of Kafka offsets: the managed topics' log-end offsets and the watched groups' commits. */
export interface OffsetSample {
  /** when the poll started (ms); rates use these timestamps, never the wall clock at processing */
  readonly at: number;
  /** topic -> partition -> log-end offset */
  readonly ends: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** group -> topic -> partition -> committed offset (absent: no commit yet) */
  readonly committed: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<number, number>>>;
}

/** One partition between two polls. */
export interface PartitionStep {
  readonly topic: string;
  readonly partition: number;
  readonly at: number;
  readonly dtMs: number;
  /** records appended since the previous poll (0 when offsets went backwards or the partition is new) */
  readonly records: number;
  readonly end: number;
  /** group -> lag in records; null when the group has no committed offset yet */
  readonly lag: ReadonlyMap<string, number | null>;
}

export const lagOf = (end: number, committed: number | undefined): number | null =>
  committed === undefined || committed < 0 ? null : Math.max(0, end - committed);
