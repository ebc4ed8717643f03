import { ErrorCode, TenantBalancerError } from './errors.js';

/**
 * A weighted Misra-Gries summary: the heavy hitters of a stream of (key, weight) in at most
 * `capacity` counters, mergeable across producers (Agarwal et al., "Mergeable Summaries", 2012).
 *
 * Guarantee, for a summary of a stream of total weight N (or a merge of summaries whose streams add
 * up to N), with k = capacity:
 * - every counter is a lower bound: estimate(x) <= true(x) <= estimate(x) + errorBound();
 * - errorBound() <= N / (k + 1); so every key whose true weight is above N / (k + 1) has a counter.
 * The bound is tracked exactly (`trimmed`: the weight every counter lost to trimming), so it is
 * usually far below N / (k + 1).
 *
 * Pure and synchronous. Adding keeps up to 2k counters and trims back to k when it overflows
 * (amortized: one sort per k new keys, not per key); `top()` and `merge()` leave at most k.
 * A counter may carry a companion weight (`extra`: the producer's bytes beside its records); a trim
 * scales it down with its counter, so it stays an estimate of the same share, with no bound of its own.
 */
export class HeavyHitters {
  /** one mutable cell per key: adding to a known key is one lookup and no Map write (a producer adds per record) */
  private readonly counts = new Map<string, { c: number; x: number }>();
  /** total weight seen (or merged) */
  private totalWeight = 0;
  /** what trimming took from every surviving counter: the error bound of each estimate */
  private trimmed = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1_000_000)
      throw new TenantBalancerError(
        ErrorCode.ConfigInvalid,
        `heavy-hitter capacity must be an integer in 1..1000000 (got ${capacity})`,
      );
  }

  get total(): number {
    return this.totalWeight;
  }

  get size(): number {
    return this.counts.size;
  }

  /** Upper bound of the error of every estimate, and of the weight of any key without a counter. */
  errorBound(): number {
    return this.trimmed;
  }

  add(key: string, weight = 1, extra = 0): void {
    if (!(weight > 0) || !Number.isFinite(weight)) return;
    this.totalWeight += weight;
    const cell = this.counts.get(key);
    if (cell !== undefined) {
      cell.c += weight;
      cell.x += extra;
      return;
    }
    this.counts.set(key, { c: weight, x: extra });
    if (this.counts.size > 2 * this.capacity) this.trim();
  }

  /** The companion weight of a key's counter (0 without one). */
  extraOf(key: string): number {
    return this.counts.get(key)?.x ?? 0;
  }

  /** Folds another summary in: counters add up, then the k largest are kept (the merge step). */
  merge(other: HeavyHitters): void {
    this.totalWeight += other.totalWeight;
    this.trimmed += other.trimmed;
    for (const [key, o] of other.counts) {
      const cell = this.counts.get(key);
      if (cell === undefined) this.counts.set(key, { c: o.c, x: o.x });
      else {
        cell.c += o.c;
        cell.x += o.x;
      }
    }
    if (this.counts.size > this.capacity) this.trim();
  }

  /** Lower-bound estimate of a key's weight (0 without a counter). */
  estimate(key: string): number {
    return this.counts.get(key)?.c ?? 0;
  }

  /** At most k counters, heaviest first: lower bounds, each within errorBound() of the truth. */
  top(): { key: string; estimate: number }[] {
    if (this.counts.size > this.capacity) this.trim();
    return [...this.counts]
      .map(([key, cell]) => ({ key, estimate: cell.c }))
      .sort((a, b) => b.estimate - a.estimate || (a.key < b.key ? -1 : 1));
  }

  /**
   * Subtracts the (k+1)-th largest counter from all and drops those at or below 0. Each trim takes
   * at least (k+1) x that amount out of the counters' sum, which is at most N, hence the bound
   * (k+1) x errorBound() <= N - sum(counters) <= N.
   */
  private trim(): void {
    const values = Array.from(this.counts.values(), (cell) => cell.c).sort((a, b) => b - a);
    const cut = values[this.capacity]!;
    this.trimmed += cut;
    for (const [key, cell] of this.counts) {
      if (cell.c <= cut) this.counts.delete(key);
      else {
        cell.x = (cell.x * (cell.c - cut)) / cell.c;
        cell.c -= cut;
      }
    }
  }
}
