/** What the observer says about one tenant for one window: the event that drives its actor. */
export interface TenantWindow {
  readonly topic: string;
  readonly tenant: string;
  /** window end, ms */
  readonly at: number;
  readonly recordsPerSec: number;
  readonly bytesPerSec: number;
  /** the tenant's share of the records of the partitions it is on (0..1) */
  readonly share: number;
  /** summed consumer lag (records) of its partitions, max over watched groups */
  readonly lag: number;
  /** slope of the rate over recent windows (records/s per window) */
  readonly trend: number;
}
