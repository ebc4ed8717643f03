import type { Observable } from 'rxjs';
import type { OffsetSample } from '../domain/offsets.js';
import type { RoutingEntry, TenantRoute } from '../domain/route-record.js';
import type { RoutingTable } from '../domain/routing-table.js';
import type { DrainAck, ReceivedReport } from '../domain/wire-records.js';

/** What the controller needs from the outside world; adapters implement these, tests may fake them. */
export interface RoutesPort {
  readonly table: RoutingTable;
  readonly changes: Observable<{ readonly entry: RoutingEntry }>;
  /** resolves with the record's offset in the routing topic */
  write(route: TenantRoute): Promise<number>;
}

export interface OffsetsPort {
  readonly samples$: Observable<OffsetSample>;
  logEnd(topic: string, partitions: readonly number[]): Promise<Map<number, number>>;
  /** consumer groups whose progress a drain waits for */
  groups(): string[];
}

export interface SignalsPort {
  readonly reports$: Observable<ReceivedReport>;
  readonly acks$: Observable<DrainAck>;
}

/** Which consumer groups consume through the ordered consumer (consumer-gated moves). */
export interface GatesPort {
  /**
   * Of `groups`, those gated on `topic`: every member the broker lists for the group announced the
   * ordered consumer for the topic (an empty group: it announced before and no other member was seen).
   */
  gated(topic: string, groups: readonly string[]): Promise<ReadonlySet<string>>;
}

export interface TopicsPort {
  partitionCount(topic: string): Promise<number>;
  grow(topic: string, total: number): Promise<void>;
  /** partition -> id of the broker that leads it (cluster metadata); partitions without a leader are absent */
  leaders(topic: string): Promise<Map<number, number>>;
}

export interface LogPort {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ClockPort {
  now(): number;
}

/** A tenant's state change, or a decision that only reports one (shadow), with its reason and numbers. */
export interface DecisionEvent {
  topic: string;
  tenant: string;
  from: string;
  to: string;
  reason: string;
  numbers: Readonly<Record<string, number>>;
}

/** Hooks for telemetry: the core emits, OTel (or a test) subscribes. Must never throw into the core. */
export interface ControllerTelemetry {
  transition?(e: DecisionEvent): void;
  migrationStep?(e: {
    topic: string;
    tenant: string;
    epoch: number;
    step: 'previous-fence' | 'acks' | 'fence' | 'drain' | 'commit';
    phase: 'start' | 'end' | 'progress';
    detail?: Readonly<Record<string, number | string>>;
  }): void;
  /**
   * A shadow decision: what the policy would have done and did not (observe mode, or a tenant the
   * config says never to move). Nothing moved; reported in logs, metrics and traces.
   */
  shadowDecision?(e: DecisionEvent): void;
  /**
   * Runs fn (a route write) inside the tenant's migration trace, so the routing record carries it
   * to the producers (Kafka instrumentation injects the context into the record's headers).
   */
  inMigration?<T>(topic: string, tenant: string, fn: () => T): T;
}

export interface ControllerPorts {
  readonly routes: RoutesPort;
  readonly offsets: OffsetsPort;
  readonly signals: SignalsPort;
  readonly topics: TopicsPort;
  /** absent: no group is known to be gated (every move is stop-and-wait) */
  readonly gates?: GatesPort;
  readonly log: LogPort;
  readonly clock: ClockPort;
  readonly telemetry?: ControllerTelemetry;
}
