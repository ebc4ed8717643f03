import { MovesLog } from '../src/app/dashboard/moves-log.js';
import type { DashboardSource } from '../src/app/dashboard/snapshot.js';
import type { TenantStatus } from '../src/app/tenant-status.js';
import { defaultPartitionOf } from '../src/domain/partition-choice.js';

const SHARED = 32;
const DEDICATED = 32;
const TOPIC = 'events';

/** A deterministic pseudo-random sequence (mulberry32), so runs compare. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/**
 * What a controller following `count` tenants shows, without Kafka: rates Zipf-like (a few heavy
 * tenants, a long tail at a few records/s), the heaviest DEDICATED on dedicated partitions, a tenth
 * with a last decision. `noisy`: every rate is re-measured each tick as a 1 s window count would be
 * (Poisson noise, sd = sqrt(rate)); otherwise rates hold still and only the clock moves.
 */
export function syntheticSource(count: number, noisy: boolean): DashboardSource {
  const rnd = random(42);
  const base = Array.from({ length: count }, (_, i) => 2000 / (i + 1) ** 0.8);
  const names = base.map((_, i) => `tenant-${String(i).padStart(5, '0')}`);
  const status = (i: number, rate: number): TenantStatus => {
    const dedicated = i < DEDICATED;
    const p = dedicated ? SHARED + i : defaultPartitionOf(names[i]!, SHARED);
    return {
      topic: TOPIC,
      tenant: names[i]!,
      state: dedicated ? 'dedicated' : 'shared',
      partitions: [p],
      epoch: dedicated ? 1 : 0,
      ordering: 'strict',
      manual: false,
      neverMove: false,
      rates: { recordsPerSec: rate, share: dedicated ? 1 : Math.min(1, rate / 2500), lag: 0 },
      decision:
        i % 10 === 0
          ? {
              at: 1_700_000_000_000 + i,
              from: 'shared',
              to: dedicated ? 'isolating' : 'shared',
              reason: `rate ${Math.round(base[i]!)}/s >= 250/s with 65% of its partition`,
              numbers: { rate: Math.round(base[i]!), share: 0.65 },
            }
          : null,
      drain: null,
      fences: [],
    };
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const tenants = () =>
    base.map((b, i) =>
      status(i, noisy ? Math.max(0, Math.round(b + gauss() * Math.sqrt(b))) : Math.round(b)),
    );
  let current = tenants();
  return {
    now: Date.now,
    role: () => ({ role: 'leader', mode: 'act' }),
    topics: () => [TOPIC],
    pools: () => ({ shared: SHARED, total: SHARED + DEDICATED }),
    tenants: () => (noisy ? (current = tenants()) : current),
    partitions: () => {
      const byP = new Map<number, number>();
      for (const t of current)
        byP.set(t.partitions[0]!, (byP.get(t.partitions[0]!) ?? 0) + t.rates!.recordsPerSec);
      return [...byP].map(([partition, recordsPerSec]) => ({
        topic: TOPIC,
        partition,
        recordsPerSec,
        lag: 0,
      }));
    },
    moves: new MovesLog(Date.now),
  };
}
