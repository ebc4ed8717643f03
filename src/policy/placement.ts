/**
 * Where a tenant that must leave the shared pool goes: the least-loaded free dedicated partitions,
 * else new partitions (createPartitions) up to a cap, else nowhere, with the reason.
 */
export interface PlacementInput {
  readonly shared: number;
  readonly total: number;
  readonly maxPartitions: number;
  /** dedicated partition -> the tenant that owns or has reserved it */
  readonly owners: ReadonlyMap<number, string>;
  /** records/s per partition (recent window) */
  readonly load: ReadonlyMap<number, number>;
  readonly tenant: string;
  readonly k: number;
  /** partitions one decision may add (Kafka cannot shrink a topic); fewer shards are placed past it */
  readonly maxGrowth?: number;
}

export type Placement =
  | { readonly kind: 'reserved'; readonly partitions: number[]; readonly reason: string }
  | {
      readonly kind: 'grow';
      readonly partitions: number[];
      readonly newTotal: number;
      readonly reason: string;
    }
  | { readonly kind: 'none'; readonly reason: string };

export function place(i: PlacementInput): Placement {
  // Partitions the tenant already owns count as free for it (resharding keeps what it has).
  const free: number[] = [];
  for (let p = i.shared; p < i.total; p++) {
    const owner = i.owners.get(p);
    if (owner === undefined || owner === i.tenant) free.push(p);
  }
  const mine = free.filter((p) => i.owners.get(p) === i.tenant);
  const others = free
    .filter((p) => i.owners.get(p) !== i.tenant)
    .sort((a, b) => (i.load.get(a) ?? 0) - (i.load.get(b) ?? 0) || a - b);
  const ordered = [...mine, ...others];
  if (ordered.length >= i.k) {
    const partitions = ordered.slice(0, i.k).sort((a, b) => a - b);
    return {
      kind: 'reserved',
      partitions,
      reason: `${i.k} free dedicated partition(s): ${partitions.join(',')}`,
    };
  }
  const wanted = i.k - ordered.length;
  const missing = Math.min(wanted, i.maxGrowth ?? wanted);
  const capped =
    missing < wanted
      ? `; growth capped at ${missing} per decision, so ${ordered.length + missing} of ${i.k} shards`
      : '';
  if (i.total + missing > i.maxPartitions) {
    return {
      kind: 'none',
      reason: `needs ${i.k} dedicated partition(s), ${ordered.length} free, and growing to ${i.total + missing} exceeds maxPartitions ${i.maxPartitions}`,
    };
  }
  const added = Array.from({ length: missing }, (_, j) => i.total + j);
  const partitions = [...ordered, ...added].sort((a, b) => a - b);
  return {
    kind: 'grow',
    partitions,
    newTotal: i.total + missing,
    reason: `grew topic to ${i.total + missing} partitions for ${i.k} dedicated partition(s)${capped}`,
  };
}
