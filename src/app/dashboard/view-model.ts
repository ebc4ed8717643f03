/**
 * What the dashboard shows, as it travels over Server-Sent Events: a full snapshot when a page
 * connects, then deltas against the previous tick. Plain JSON, no Node or DOM types: the browser
 * bundle (src/dashboard/) imports these types and `applyDelta` too.
 */

/**
 * One tenant row: a tenant the controller follows (it has an actor), or one below the actor floor
 * that sent traffic in the latest window (state `shared` on its hash partition, no decision:
 * src/app/dashboard/shared-rows.ts).
 */
export interface TenantRow {
  /** `topic/tenant` (routeKey) */
  readonly key: string;
  readonly topic: string;
  readonly tenant: string;
  readonly state: string;
  readonly partitions: readonly number[];
  readonly epoch: number;
  readonly ordering: string;
  readonly manual: boolean;
  /** records/s in the last window (rounded), null before the first window */
  readonly rate: number | null;
  /** the tenant's share of its partition's records/s, 0..1 (rounded) */
  readonly share: number | null;
  readonly lag: number | null;
  readonly decision: {
    readonly at: number;
    readonly from: string;
    readonly to: string;
    readonly reason: string;
    readonly numbers: Readonly<Record<string, number>>;
    readonly shadow: boolean;
  } | null;
  /** a drain past its timeout (policy wait): the move is stuck */
  readonly stuck: boolean;
}

export interface PartitionView {
  readonly partition: number;
  readonly pool: 'shared' | 'dedicated';
  readonly rate: number;
  readonly lag: number;
  /** tenants seen on it in the latest window */
  readonly tenantCount: number;
  /** dedicated: the owner; shared: the busiest tenants on it (by rate, at most 3) */
  readonly tenants: readonly { readonly tenant: string; readonly rate: number }[];
}

export interface TopicView {
  readonly topic: string;
  readonly partitions: readonly PartitionView[];
}

export interface MoveStep {
  /** a machine state (`isolating`, `draining.announcing`, ...) or a drain step (`acks`, `fence`, ...) */
  readonly name: string;
  readonly at: number;
  readonly endedAt?: number;
  readonly detail?: Readonly<Record<string, number | string>>;
}

/** One move of one tenant: from the state it left to the state it settled in. */
export interface MoveView {
  readonly id: number;
  readonly topic: string;
  readonly tenant: string;
  readonly from: string;
  /** the stable state it settled in; absent while the move runs */
  readonly to?: string;
  readonly reason: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly epoch?: number;
  readonly steps: readonly MoveStep[];
  /** how long producers held the tenant's records: from the draining announcement to the commit */
  readonly holdMs?: number;
  /** consumer groups the drain waits for, and records still below the fence (summed over groups) */
  readonly groups?: number;
  readonly remaining?: number;
  readonly stuck: boolean;
}

export interface RoleView {
  /** leader: this controller acts; standby: another instance leads (HA) */
  readonly role: 'leader' | 'standby';
  readonly mode: 'act' | 'observe';
  /** where the leader is, when this controller knows it */
  readonly leader?: string;
}

export interface DashboardSnapshot {
  readonly at: number;
  readonly role: RoleView;
  readonly topics: readonly TopicView[];
  readonly tenants: readonly TenantRow[];
  readonly moves: readonly MoveView[];
}

export type TenantPatch = Pick<TenantRow, 'key'> & Partial<TenantRow>;

/** The change from one snapshot to the next; absent fields did not change. */
export interface DashboardDelta {
  readonly at: number;
  readonly role?: RoleView;
  readonly topics?: readonly TopicView[];
  /** rows that are new (whole) */
  readonly upsert?: readonly TenantRow[];
  /** rows that changed: the key and only the fields that changed */
  readonly patch?: readonly TenantPatch[];
  /** keys of rows that are gone */
  readonly remove?: readonly string[];
  /** moves that are new or changed (by id) */
  readonly moves?: readonly MoveView[];
  /** ids of moves dropped from the bounded log */
  readonly dropMoves?: readonly number[];
}

/** The machine drawn on the page: states laid out in layers, transitions as edges between them. */
export interface MachineGraph {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly {
    readonly id: string;
    readonly label: string;
    readonly x: number;
    readonly y: number;
    readonly w: number;
    readonly h: number;
    /** a compound state's box contains its children */
    readonly compound: boolean;
  }[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly label: string }[];
}
