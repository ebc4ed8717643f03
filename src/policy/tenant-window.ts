import { claimExcess, plausibleRate } from './plausible-rate.js';

/** One topic's latest per-partition figures (records/s and the largest lag over groups). */
export interface PartitionFigures {
  readonly rate: ReadonlyMap<number, number> | undefined;
  readonly lag: ReadonlyMap<number, number> | undefined;
}

export interface TenantShare {
  readonly recordsPerSec: number;
  readonly bytesPerSec: number;
  /** the tenant's share of the records its partitions received, 0..1 */
  readonly share: number;
  /** lag summed over the tenant's partitions */
  readonly lag: number;
  /** records/s its partitions received (all tenants on them) */
  readonly partitionRate: number;
  /** the reported rate was above what its partitions grew by (reports are untrusted) and was capped */
  readonly capped: boolean;
}

/**
 * Joins a tenant's reported rate with its partitions' truth (offsets): its share and lag, with the
 * claim capped at partition growth x tolerance, since no tenant sends more than its partitions grew.
 * `partitions` [] means the tenant is shared and lives on `hashPartition`.
 */
export function tenantShare(
  partitions: readonly number[],
  hashPartition: number,
  figures: PartitionFigures,
  reported: { readonly recordsPerSec: number; readonly bytesPerSec: number },
  tolerance: number,
  /** written and returned instead of a new object (the controller joins 100k tenants a tick) */
  out?: { -readonly [K in keyof TenantShare]: TenantShare[K] },
): TenantShare {
  let partRate = 0;
  let lag = 0;
  if (partitions.length === 0) {
    partRate = figures.rate?.get(hashPartition) ?? 0;
    lag = figures.lag?.get(hashPartition) ?? 0;
  }
  for (const p of partitions) {
    partRate += figures.rate?.get(p) ?? 0;
    lag += figures.lag?.get(p) ?? 0;
  }
  let rate = reported.recordsPerSec;
  let bytes = reported.bytesPerSec;
  const capped = claimExcess(rate, partRate) > tolerance;
  if (capped) {
    const plausible = plausibleRate(rate, partRate, tolerance);
    bytes = rate > 0 ? bytes * (plausible / rate) : 0;
    rate = plausible;
  }
  const share = partRate > 0 ? Math.min(1, rate / partRate) : rate > 0 ? 1 : 0;
  if (out === undefined)
    return { recordsPerSec: rate, bytesPerSec: bytes, share, lag, partitionRate: partRate, capped };
  out.recordsPerSec = rate;
  out.bytesPerSec = bytes;
  out.share = share;
  out.lag = lag;
  out.partitionRate = partRate;
  out.capped = capped;
  return out;
}
