import type { Thresholds } from './thresholds.js';
import type { TenantWindow } from './window-summary.js';

export interface Assessment {
  readonly hot: boolean;
  readonly cold: boolean;
  /** partitions the tenant needs at its current rate */
  readonly shardsNeeded: number;
  readonly reason: string;
  readonly numbers: Readonly<Record<string, number>>;
}

/** k = ceil(rate / (capacity * headroom)), at least 1, at most maxShards. */
export const shardsFor = (rate: number, t: Thresholds): number =>
  Math.min(t.maxShards, Math.max(1, Math.ceil(rate / (t.partitionCapacity * t.headroom))));

/** One window judged against the thresholds: pure, and it says why with the numbers behind it. */
export function assess(w: TenantWindow, t: Thresholds): Assessment {
  const rate = Math.max(0, Number.isFinite(w.recordsPerSec) ? w.recordsPerSec : 0);
  const hot = rate >= t.isolateRate && w.share >= t.isolateShare;
  const cold = rate < t.releaseRate;
  const shardsNeeded = shardsFor(rate, t);
  const reason = hot
    ? `rate ${rate.toFixed(0)}/s >= ${t.isolateRate}/s with ${(w.share * 100).toFixed(0)}% of its partition`
    : cold
      ? `rate ${rate.toFixed(0)}/s < release ${t.releaseRate}/s`
      : `rate ${rate.toFixed(0)}/s between release and isolate thresholds`;
  return {
    hot,
    cold,
    shardsNeeded,
    reason,
    numbers: {
      rate,
      share: w.share,
      lag: w.lag,
      isolateRate: t.isolateRate,
      releaseRate: t.releaseRate,
      shardsNeeded,
    },
  };
}
