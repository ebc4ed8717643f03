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
    maxShards: z.number().int().min(1).max(256).default(8),
    /** windows a shard count must be wanted before resharding */
    reshardWindows: z.number().int().min(1).max(1000).default(3),
    /** ms after a completed migration before the same tenant may move again */
    cooldownMs: z.number().int().min(0).default(30_000),
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
