import type { TenantContext } from '../../machines/tenant.machine.js';
import type { Handle } from './tenant-registry.js';
import { stateName } from './state-name.js';

export interface TenantStatus {
  readonly topic: string;
  readonly tenant: string;
  readonly state: string;
  readonly partitions: readonly number[];
  readonly epoch: number;
  readonly ordering: string;
  readonly manual: boolean;
  /** a per-tenant override: the policy never moves it (its decisions are shadow ones) */
  readonly neverMove: boolean;
  readonly rates: { readonly recordsPerSec: number; readonly share: number; readonly lag: number } | null;
  readonly decision: TenantContext['decision'] | null;
  readonly drain: {
    readonly target: readonly number[];
    readonly from: readonly number[];
    readonly remaining: number | null;
    readonly alert: boolean;
    readonly startedAt: number | null;
    /** groups the move does not wait for: they consume through the ordered consumer */
    readonly gated: readonly string[];
    /** per group the move waits for: records still below the fence */
    readonly waitingFor: Readonly<Record<string, number>>;
  } | null;
  /** the tenant's fence history (consumer-gated moves): epoch -> partition -> offset */
  readonly fences: readonly { readonly epoch: number; readonly offsets: Readonly<Record<string, number>> }[];
}

/** What /tenants and the CLI show of one tenant: its machine's snapshot and its last window. */
export function tenantStatus(h: Handle): TenantStatus {
  const s = h.actor.getSnapshot();
  const c = s.context;
  return {
    topic: h.topic,
    tenant: h.tenant,
    state: stateName(s.value),
    partitions: c.partitions.length === 0 ? [c.hashPartition] : c.partitions,
    epoch: c.epoch,
    ordering: c.ordering,
    manual: c.manual,
    neverMove: c.neverMove,
    rates: h.lastWindow
      ? { recordsPerSec: h.lastWindow.recordsPerSec, share: h.lastWindow.share, lag: h.lastWindow.lag }
      : null,
    decision: c.decision ?? null,
    drain:
      c.target !== undefined
        ? {
            target: c.target.length === 0 ? [c.hashPartition] : c.target,
            from: c.from ?? [],
            remaining: c.drain?.remaining ?? null,
            alert: c.drainAlert,
            startedAt: c.drain?.startedAt ?? null,
            gated: c.drain?.gated ?? [],
            waitingFor: c.drain?.waitingFor ?? {},
          }
        : null,
    fences: c.fences ?? [],
  };
}
