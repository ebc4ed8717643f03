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

const rateOf = (w: TenantWindow): number =>
  Math.max(0, Number.isFinite(w.recordsPerSec) ? w.recordsPerSec : 0);

/** The `hot` of assess() without building its reason (checked for every tenant on every tick). */
export const isHot = (w: TenantWindow, t: Thresholds): boolean =>
  rateOf(w) >= t.isolateRate && w.share >= t.isolateShare;

/** The `cold` of assess() without building its reason. */
export const isCold = (w: TenantWindow, t: Thresholds): boolean => rateOf(w) < t.releaseRate;

/** One window judged against the thresholds: pure, and it says why with the numbers behind it. */
export function assess(w: TenantWindow, t: Thresholds): Assessment {
  const rate = rateOf(w);
  const hot = isHot(w, t);
  const cold = isCold(w, t);
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
