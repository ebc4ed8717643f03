import { percentile } from '../domain/percentile.js';

export interface PhaseLatency {
  readonly phase: string;
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
}

/** Small tenants' produce-to-consume latency per phase of the scenario (phases by consume time). */
export function latencyByPhase(
  latency: ReadonlyMap<string, readonly (readonly [number, number])[]>,
  isSmall: (tenant: string) => boolean,
  phases: readonly { name: string; from: number; to: number }[],
): PhaseLatency[] {
  return phases.map((ph) => {
    const xs: number[] = [];
    for (const [tenant, samples] of latency) {
      if (!isSmall(tenant)) continue;
      for (const [at, ms] of samples) if (at >= ph.from && at < ph.to) xs.push(ms);
    }
    return { phase: ph.name, samples: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99) };
  });
}
