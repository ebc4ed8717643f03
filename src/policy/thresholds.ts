import { z } from 'zod';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';

/**
 * Every knob of the tenant policy in one type, with defaults. Release sits well below isolation
 * (hysteresis), so a tenant hovering at the threshold does not flap.
 */
export const thresholdsSchema = z
  .object({
    /** records/s at which a shared tenant counts as hot */
    isolateRate: z.number().positive().default(500),
    /** and its share of its partition's records at least this (0..1) */
    isolateShare: z.number().min(0).max(1).default(0.3),
    /** consecutive hot windows before isolating */
    hotWindows: z.number().int().min(1).max(1000).default(3),
    /** records/s under which a dedicated/sharded tenant counts as cold */
    releaseRate: z.number().min(0).default(100),
    /** consecutive cold windows before releasing to shared */
    coldWindows: z.number().int().min(1).max(10_000).default(10),
    /** records/s one partition's consumers can process */
    partitionCapacity: z.number().positive().default(2000),
    /** fraction of capacity to plan for (k = ceil(rate / (capacity * headroom))) */
    headroom: z.number().gt(0).max(1).default(0.8),
    /** most partitions one tenant is spread over (per-tenant overrides arrive merged into these thresholds) */
    maxShards: z.number().int().min(1).max(256).default(8),
    /**
     * consecutive windows a larger shard count must be wanted before growing. 1: grow on the first
     * window whose rate needs more partitions (the window already averages the rate over windowMs).
     */
    reshardWindows: z.number().int().min(1).max(1000).default(1),
    /**
     * dead band for growing: a tenant on k partitions grows only when rate > k x partitionCapacity x
     * headroom x (1 + growMargin). Headroom already keeps capacity spare; without this margin a steady
     * rate a hair above k x capacity x headroom (noise) adds a partition (the demo's whale at 2,406/s
     * on 3 x 800/s grows to 4 and, thanks to shrinkMargin, stays). Default 0: grow as soon as the rate
     * needs more partitions at the headroom; the demo uses 0.1.
     */
    growMargin: z.number().min(0).max(1).default(0),
    /**
     * dead band for shrinking: a tenant on k partitions shrinks only to a j < k with
     * rate <= j x partitionCapacity x headroom x (1 - shrinkMargin). A rate that wanders around a
     * boundary then grows once and stays, instead of flipping k every few windows.
     */
    shrinkMargin: z.number().min(0).max(0.9).default(0.2),
    /** consecutive windows the rate must fit fewer partitions (with the margin) before shrinking */
    shrinkWindows: z.number().int().min(1).max(10_000).default(10),
    /** ms after a tenant's last move before the policy isolates or releases it (and grows it, see growCooldownMs) */
    cooldownMs: z.number().int().min(0).default(30_000),
    /** ms after a tenant's last move before the policy grows its shard count; unset: cooldownMs */
    growCooldownMs: z.number().int().min(0).optional(),
    /** ms after a tenant's last move before the policy shrinks its shard count (shrinking is never urgent) */
    shrinkCooldownMs: z.number().int().min(0).default(120_000),
    /**
     * moves the policy may start per tenant in any hour (operator moves count, and are never held back);
     * at most 1000: the starts are kept in the persisted machine snapshot
     */
    maxMovesPerTenantPerHour: z.number().int().min(1).max(1000).default(12),
    /** moves the policy may start per topic in any minute (all tenants of the topic, operator moves included) */
    maxMovesPerTopicPerMinute: z.number().int().min(1).max(10_000).default(10),
    /** migrations in progress at once, across tenants */
    maxConcurrentMigrations: z.number().int().min(1).max(1000).default(2),
    drainTimeoutMs: z.number().int().min(100).default(60_000),
    /**
     * wait: keep waiting (alerting); rollback: go back to the old route; switch: behaves as wait.
     * (switch would flip a relaxed tenant anyway, but relaxed tenants never drain, so no timeout
     * reaches one; a strict tenant under switch waits with an alert, as the property test checks.)
     */
    drainTimeoutPolicy: z.enum(['wait', 'rollback', 'switch']).default('rollback'),
    /** lower bound on records/s for a tenant to get an actor at all */
    actorFloorRate: z.number().min(0).default(10),
  })
  .strict()
  .refine((t) => t.releaseRate < t.isolateRate, {
    message: 'releaseRate must be below isolateRate (hysteresis)',
    path: ['releaseRate'],
  });

export type Thresholds = z.output<typeof thresholdsSchema>;
export type ThresholdsInput = z.input<typeof thresholdsSchema>;

export function parseThresholds(input: unknown): Thresholds {
  const r = thresholdsSchema.safeParse(input ?? {});
  if (!r.success) {
    const msgs = r.error.issues.map((i) => `thresholds.${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TenantBalancerError(ErrorCode.ConfigInvalid, msgs.join('; '));
  }
  return r.data;
}

export const defaultThresholds = (): Thresholds => parseThresholds({});
