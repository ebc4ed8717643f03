import type { Fence, Ordering } from '../src/domain/route-record.js';
import type { Thresholds } from '../src/policy/thresholds.js';
import type { TenantWindow } from '../src/policy/window-summary.js';

/** act: the controller moves tenants; observe (shadow mode): it decides and reports, and moves no one. */
export type ControllerMode = 'act' | 'observe';

/** What a tenant actor starts from: its committed route (or a persisted snapshot, see the controller). */
export interface TenantInput {
  readonly topic: string;
  readonly tenant: string;
  readonly ordering: Ordering;
  readonly thresholds: Thresholds;
  /** The tenant's partition under default hashing (what "shared" means for it). */
  readonly hashPartition: number;
  /** Its committed route: [] = shared. */
  readonly partitions: readonly number[];
  readonly epoch: number;
  /** its route's fence history (consumer-gated moves), oldest first */
  readonly fences?: readonly Fence[];
  readonly manual?: boolean;
  /** default act */
  readonly mode?: ControllerMode;
  /** an operator's per-tenant override: the policy never moves this tenant (operator commands still do) */
  readonly neverMove?: boolean;
}

export interface Decision {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly numbers: Readonly<Record<string, number>>;
  /** reported only: what the policy would do (observe mode) or what it held back; nothing moved */
  readonly shadow?: boolean;
}

export interface TenantContext {
  readonly topic: string;
  readonly tenant: string;
  /** live-reconfigurable: changes only while the tenant is stable (config.changed) */
  ordering: Ordering;
  /** live-reconfigurable (config.changed) */
  thresholds: Thresholds;
  mode: ControllerMode;
  neverMove: boolean;
  readonly hashPartition: number;
  /** committed partitions; [] = shared (hash) */
  partitions: number[];
  epoch: number;
  /** the route's fence history, oldest first (absent in older snapshots): every route write carries it */
  fences?: readonly Fence[];
  /** shards wanted by the move in progress ([]-target means release to shared) */
  wantShards: number;
  /** explicit partitions requested by an operator move */
  requested: number[] | undefined;
  target: number[] | undefined;
  from: number[] | undefined;
  /** the route to go back to if the drain is rolled back */
  previous: number[] | undefined;
  hot: number;
  cold: number;
  /** consecutive windows a larger shard count was wanted (the grow streak; reshardWindows) */
  reshard: number;
  /** consecutive windows the rate fitted fewer shards below the dead band (shrinkWindows); absent in older snapshots */
  shrink?: number;
  manual: boolean;
  /** when the last move committed (cooldowns run from it) */
  lastMoveAt: number | undefined;
  /** when the moves of the last hour started, operator moves included (the move budgets); absent in older snapshots */
  moveStarts?: readonly number[];
  /**
   * what the last held-back or shadow decision was about (`cause:move`): a decision that only reports is
   * recorded when this changes, not every window; cleared when a move starts
   */
  heldKey?: string | undefined;
  drainAlert: boolean;
  decision: Decision | undefined;
  /** the drain in progress, as its steps reported it (shown in status; cleared when the route settles) */
  drain: DrainProgress | undefined;
}

export interface DrainProgress {
  /** when the draining route was announced */
  readonly startedAt?: number;
  /** its offset in the routing topic: a producer whose view passed it has seen the drain */
  readonly announceOffset?: number;
  /** log-end offsets of the old partitions once the producers held the tenant: partition -> offset */
  readonly fence?: Readonly<Record<string, number>>;
  /** records still to be consumed below the fence, summed over the groups the move waits for */
  readonly remaining?: number;
  /** the groups that use the ordered consumer: the move does not wait for them (consumer-gated) */
  readonly gated?: readonly string[];
  /** per group the move waits for (stop-and-wait, or a gated group's previous fence): records still below the fence */
  readonly waitingFor?: Readonly<Record<string, number>>;
}

export type TenantEvent =
  | {
      type: 'window.closed';
      window: TenantWindow;
      now: number;
      migrationsInProgress: number;
      /** moves started in the tenant's topic in the last minute (maxMovesPerTopicPerMinute); absent: 0 */
      topicMovesRecently?: number;
    }
  | { type: 'capacity.reserved'; partitions: number[] }
  | { type: 'capacity.unavailable'; reason: string; now: number }
  | { type: 'drain.announced'; offset: number; now: number }
  | { type: 'producers.acked' }
  | { type: 'fence.taken'; fence?: Readonly<Record<string, number>> }
  | {
      type: 'drain.progress';
      remaining: number;
      byGroup?: Readonly<Record<string, number>>;
      gated?: readonly string[];
    }
  | { type: 'drain.completed' }
  | { type: 'drain.timedOut'; now?: number }
  | { type: 'route.committed'; now: number }
  | { type: 'operator.pinned'; shards?: number; now: number }
  | { type: 'operator.unpinned'; now: number }
  | { type: 'operator.moved'; partitions: number[]; now: number }
  /** sent once to an actor restored from a persisted snapshot: re-enter the step it was in */
  | { type: 'controller.resumed' }
  /** a reloaded config: the tenant's effective thresholds, ordering, mode and never-move */
  | {
      type: 'config.changed';
      thresholds: Thresholds;
      ordering: Ordering;
      mode: ControllerMode;
      neverMove: boolean;
    };
