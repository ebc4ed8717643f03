import { z } from 'zod';
import type { ControllerMode } from '../../machines/tenant.types.js';
import { MAX_TENANT_ID_BYTES } from '../domain/ids.js';
import { parseRouteKey, routeKey, type Ordering } from '../domain/route-record.js';
import { thresholdsSchema, type Thresholds } from '../policy/thresholds.js';
import { ownKeysRecord } from './own-keys-record.js';

/**
 * Every thresholds field optional and without its default: an override names only what it changes,
 * and the rest comes from the global thresholds (a default here would silently reset them).
 */
const partialThresholdsSchema = z
  .object(
    Object.fromEntries(
      Object.entries(thresholdsSchema.shape).map(([k, s]) => [k, s.unwrap().optional()]),
    ) as unknown as { [K in keyof Thresholds]: z.ZodOptional<z.ZodType<Thresholds[K]>> },
  )
  .strict();

/** What an operator knows better than the policy about one tenant. */
export const tenantOverrideSchema = z
  .object({
    /** the ordering a tenant starts with and changes to while stable (relaxed tenants skip the drain) */
    ordering: z.enum(['strict', 'relaxed']).optional(),
    /** over the global thresholds; the merged result must be valid (releaseRate < isolateRate, ...) */
    thresholds: partialThresholdsSchema.optional(),
    /** the policy never moves this tenant (it still reports what it would do); operator commands still do */
    neverMove: z.boolean().optional(),
    /** the most partitions this tenant may get (over thresholds.maxShards) */
    maxShards: z.number().int().min(1).max(256).optional(),
  })
  .strict();

export type TenantOverride = z.output<typeof tenantOverrideSchema>;

/** Overrides keyed `"<topic>/<tenant>"` (the route key); a tenant without traffic yet is fine. */
export const tenantOverridesSchema = ownKeysRecord(z.string(), tenantOverrideSchema);

const TOPIC_RE = /^[a-zA-Z0-9._-]{1,249}$/;

/** Merged thresholds of one override, unvalidated (validated by {@link checkTenantOverrides}). */
const mergedThresholds = (global: Thresholds, o: TenantOverride): Record<string, unknown> => ({
  ...global,
  ...o.thresholds,
  ...(o.maxShards !== undefined ? { maxShards: o.maxShards } : {}),
});

/**
 * The checks of the overrides that need the rest of the config: a key is `<managed topic>/<tenant
 * id>`, and each tenant's merged thresholds pass the thresholds schema (its refinements included),
 * with the issue at `tenants.<key>.thresholds.<field>` so the message names the tenant and the field.
 */
export function checkTenantOverrides(
  c: { topics: readonly string[]; thresholds: Thresholds; tenants: Record<string, TenantOverride> },
  addIssue: (path: PropertyKey[], message: string) => void,
): void {
  for (const [key, o] of Object.entries(c.tenants)) {
    const parts = parseRouteKey(key);
    if (parts === undefined || !TOPIC_RE.test(parts.topic)) {
      addIssue(['tenants', key], 'a tenant override key is "<topic>/<tenant id>", e.g. "orders/acme"');
      continue;
    }
    if (Buffer.byteLength(parts.tenant, 'utf8') > MAX_TENANT_ID_BYTES) {
      addIssue(['tenants', key], `the tenant id is over ${MAX_TENANT_ID_BYTES} UTF-8 bytes`);
      continue;
    }
    if (!c.topics.includes(parts.topic)) {
      addIssue(
        ['tenants', key],
        `topic "${parts.topic}" is not managed by this controller (managed: ${c.topics.join(', ')})`,
      );
      continue;
    }
    if (o.thresholds === undefined && o.maxShards === undefined) continue;
    const r = thresholdsSchema.safeParse(mergedThresholds(c.thresholds, o));
    if (r.success) continue;
    for (const i of r.error.issues) {
      const field = i.path[0] === 'maxShards' && o.maxShards !== undefined ? ['maxShards'] : ['thresholds'];
      addIssue(
        ['tenants', key, ...field, ...(field[0] === 'maxShards' ? [] : i.path)],
        `${i.message} (merged over the global thresholds)`,
      );
    }
  }
}

/** One tenant's effective settings: what its actor starts with and what config.changed sends. */
export interface TenantSettings {
  readonly thresholds: Thresholds;
  /** undefined: no override (the actor keeps its route's ordering) */
  readonly ordering: Ordering | undefined;
  readonly mode: ControllerMode;
  readonly neverMove: boolean;
}

/** The effective settings of every tenant under one config: the global ones, merged with overrides. */
export class TenantSettingsBook {
  private readonly global: TenantSettings;
  private readonly byKey = new Map<string, TenantSettings>();

  constructor(c: { thresholds: Thresholds; mode: ControllerMode; tenants: Record<string, TenantOverride> }) {
    this.global = { thresholds: c.thresholds, ordering: undefined, mode: c.mode, neverMove: false };
    for (const [key, o] of Object.entries(c.tenants)) {
      this.byKey.set(key, {
        // validated with the config (checkTenantOverrides)
        thresholds:
          o.thresholds === undefined && o.maxShards === undefined
            ? c.thresholds
            : (mergedThresholds(c.thresholds, o) as Thresholds),
        ordering: o.ordering,
        mode: c.mode,
        neverMove: o.neverMove ?? false,
      });
    }
  }

  of(topic: string, tenant: string): TenantSettings {
    return this.byKey.get(routeKey(topic, tenant)) ?? this.global;
  }

  /**
   * The loosest hotness bar over the global thresholds and every override: the window feeder skips a
   * shared tenant's window only when no tenant's thresholds could call it hot, and gives a tenant an
   * actor at the lowest floor any tenant has (its own actor then decides with its own thresholds).
   */
  loosest(): Thresholds {
    let t = this.global.thresholds;
    for (const s of this.byKey.values()) {
      t = {
        ...t,
        isolateRate: Math.min(t.isolateRate, s.thresholds.isolateRate),
        isolateShare: Math.min(t.isolateShare, s.thresholds.isolateShare),
        actorFloorRate: Math.min(t.actorFloorRate, s.thresholds.actorFloorRate),
      };
    }
    return t;
  }
}
