import { MAX_EPOCH, type TenantRoute } from './route-record.js';

/** What a gated record waits for on one partition: its group's commit to reach `fence`. */
export interface FenceWait {
  readonly epoch: number;
  readonly partition: number;
  readonly fence: number;
  /** the group's committed offset there (undefined: none yet) */
  readonly committed: number | undefined;
}

/**
 * Whether an ordered consumer may process a record now (docs/protocol.md, "The consumer gate"):
 * - `pass`: no fence stands between the record and its tenant's earlier records;
 * - `wait` `route-behind`: the record's epoch is newer than the consumer's view of the tenant's
 *   route, or its move has not settled yet: the fence is missing, and a missing fence means wait;
 * - `wait` `fence`: the group has not committed past a fence of an epoch <= the record's
 *   (every earlier fence it has not passed counts, not only the latest).
 */
export type GateVerdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'wait'; readonly reason: 'route-behind'; readonly routeEpoch: number | undefined }
  | { readonly kind: 'wait'; readonly reason: 'fence'; readonly waits: readonly FenceWait[] };

const PASS: GateVerdict = { kind: 'pass' };

/**
 * The gate for one record of a tenant. `committed(p)`: the group's committed offset on partition p
 * (Kafka's next-offset sense: "past the fence" is committed >= fence). The record's own partition
 * never waits on itself: the consumer reads it in order, so everything before the record there is
 * processed or held before it. Records of relaxed tenants and records without an epoch (not written
 * by a SmartProducer) are never held.
 */
export function gateVerdict(
  route: TenantRoute | undefined,
  recordEpoch: number | undefined,
  recordPartition: number,
  committed: (partition: number) => number | undefined,
): GateVerdict {
  if (recordEpoch === undefined) return PASS;
  if (route === undefined)
    return recordEpoch === 0 ? PASS : { kind: 'wait', reason: 'route-behind', routeEpoch: undefined };
  if (route.ordering === 'relaxed') return PASS;
  if (recordEpoch > route.epoch || (route.state === 'draining' && recordEpoch >= route.epoch))
    return { kind: 'wait', reason: 'route-behind', routeEpoch: route.epoch };
  const waits: FenceWait[] = [];
  for (const f of route.fences ?? []) {
    if (f.epoch > recordEpoch) break;
    for (const [p, fence] of Object.entries(f.offsets)) {
      const partition = Number(p);
      if (partition === recordPartition) continue;
      const c = committed(partition);
      if (c === undefined || c < fence) waits.push({ epoch: f.epoch, partition, fence, committed: c });
    }
  }
  return waits.length === 0 ? PASS : { kind: 'wait', reason: 'fence', waits };
}

/**
 * The epoch a record header carries (`route-epoch`, decimal), or undefined when absent, not a
 * number, or above the largest epoch a route can have (MAX_EPOCH): no route could ever match it.
 */
export function recordEpochOf(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,10}$/.test(header)) return undefined;
  const epoch = Number(header);
  return epoch <= MAX_EPOCH ? epoch : undefined;
}
