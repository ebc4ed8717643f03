/**
 * Traffic reports are untrusted: anyone who can write the traffic topic can claim any rate for any
 * tenant. Offsets are the truth: a tenant cannot have sent more than the partitions it writes to
 * grew by. `tolerance` absorbs the skew between report intervals and offset polls (both windowed
 * over the same length), so an honest claim is never cut.
 */
export const plausibleRate = (claimed: number, partitionRate: number, tolerance: number): number =>
  Math.min(claimed, partitionRate * tolerance);

/** How much a claim exceeded partition truth (1 = plausible), for logs and metrics. */
export const claimExcess = (claimed: number, partitionRate: number): number =>
  partitionRate > 0 ? claimed / partitionRate : claimed > 0 ? Infinity : 1;
