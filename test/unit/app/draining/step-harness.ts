import { BehaviorSubject, Subject } from 'rxjs';
import { createActor, initialTransition, setup, type AnyActorLogic } from 'xstate';
import { tenantMachine, type TenantContext, type TenantEvent } from '../../../../machines/tenant.machine.js';
import { Capacity } from '../../../../src/app/capacity.js';
import { parseControllerConfig, type ControllerConfig } from '../../../../src/app/controller-config.js';
import type { DrainingDeps } from '../../../../src/app/draining/index.js';
import { ProducerAcks } from '../../../../src/app/draining/producer-acks.js';
import type { MigrationStep } from '../../../../src/app/draining/step.js';
import { PartitionLoad } from '../../../../src/app/partition-load.js';
import type { OffsetSample } from '../../../../src/domain/offsets.js';
import type { RouteState, TenantRoute } from '../../../../src/domain/route-record.js';
import { RoutingTable } from '../../../../src/domain/routing-table.js';
import type { WindowSnapshot } from '../../../../src/domain/window-aggregator.js';
import type { DrainAck, ReceivedReport } from '../../../../src/domain/wire-records.js';
import type { ControllerPorts } from '../../../../src/ports/controller-ports.js';
import { pools } from '../../domain/fixtures.js';
import { input } from '../../machines/tenant-harness.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

export interface FakePortsOptions {
  /** the managed topic's pool layout: partitions 0..shared-1 shared, shared..total-1 dedicated */
  readonly shared?: number;
  readonly total?: number;
  /** what `routes.write` does; by default it applies the route to the table and returns the next offset */
  readonly write?: (route: TenantRoute) => Promise<number>;
  /** log-end offset of each partition (default 100 for every partition asked) */
  readonly logEnd?: (topic: string, partitions: readonly number[]) => Promise<Map<number, number>>;
  readonly groups?: string[];
  /** groups whose every member announced the ordered consumer (GatesPort); default none */
  readonly gated?: string[];
  /** the broker's partition count for the topic (default `total`) */
  readonly partitionCount?: number;
  /**
   * partition -> leader broker id, asked with the partition count at the time of the call (so a
   * grown partition can have one); default: no leader known. Throwing stands for a metadata failure.
   */
  readonly leaders?: (topic: string, partitionCount: number) => Promise<Map<number, number>>;
  /** a controllable clock; default: Date.now (which vi.useFakeTimers fakes) */
  readonly now?: () => number;
}

/**
 * ControllerPorts on fakes (no broker): a routing table on one topic `orders`, route writes recorded
 * (and applied to the table, as the routing reader would), offsets and signals on Subjects, topic
 * growth and leader reads recorded, every log line recorded.
 */
export function fakePorts(o: FakePortsOptions = {}) {
  const shared = o.shared ?? 4;
  const total = o.total ?? 8;
  const table = new RoutingTable();
  table.apply(pools('orders', shared, total));
  const writes: TenantRoute[] = [];
  const logs: LogLine[] = [];
  const grows: { topic: string; total: number }[] = [];
  const logEnds: { topic: string; partitions: number[] }[] = [];
  const leaderReads: { topic: string; partitionCount: number }[] = [];
  let offset = 10;
  let count = o.partitionCount ?? total;
  const samples$ = new Subject<OffsetSample>();
  const reports$ = new Subject<ReceivedReport>();
  const acks$ = new Subject<DrainAck>();
  const line =
    (level: LogLine['level']) =>
    (obj: object, msg?: string): void =>
      void logs.push({ level, obj: obj as Record<string, unknown>, msg });
  const ports: ControllerPorts = {
    routes: {
      table,
      changes: new Subject(),
      write:
        o.write ??
        (async (route) => {
          writes.push(route);
          table.apply(route);
          return offset++;
        }),
    },
    gates: {
      gated: async (_topic: string, groups: readonly string[]) =>
        new Set(groups.filter((g) => (o.gated ?? []).includes(g))),
    },
    offsets: {
      samples$,
      logEnd: async (topic, partitions) => {
        logEnds.push({ topic, partitions: [...partitions] });
        return o.logEnd !== undefined
          ? o.logEnd(topic, partitions)
          : new Map(partitions.map((p) => [p, 100]));
      },
      groups: () => o.groups ?? [],
    },
    signals: { reports$, acks$ },
    topics: {
      partitionCount: async () => count,
      grow: async (topic, n) => {
        grows.push({ topic, total: n });
        count = n;
      },
      leaders: async (topic) => {
        leaderReads.push({ topic, partitionCount: count });
        return o.leaders !== undefined ? o.leaders(topic, count) : new Map();
      },
    },
    log: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    clock: { now: o.now ?? (() => Date.now()) },
  };
  const warnings = (msg?: string) =>
    logs.filter((l) => l.level === 'warn' && (msg === undefined || l.msg === msg));
  return { ports, table, writes, logs, warnings, grows, logEnds, leaderReads, samples$, reports$, acks$ };
}

export type FakePorts = ReturnType<typeof fakePorts>;

/** A controller config with small values (lease 500 ms + tick 50 ms). */
export const testConfig = (over: Record<string, unknown> = {}): ControllerConfig =>
  parseControllerConfig({
    brokers: ['127.0.0.1:1'],
    topics: ['orders'],
    tickMs: 50,
    windowMs: 500,
    routeLeaseMs: 500,
    ...over,
  });

/** a ProducerAcks as after the controller's first window, which said no producer is alive */
const aliveKnown = (a: ProducerAcks): ProducerAcks => {
  a.setAlive([]);
  return a;
};

export interface PersistCall {
  readonly key: string;
  readonly state: RouteState;
  readonly partitions: number[];
  readonly from: number[] | undefined;
}

/**
 * The deps every step gets (DrainingDeps covers all of them), on fake ports. `persist` is recorded
 * and answers with the next offset (1000, 1001, ...) unless `over.persist` replaces it; `contexts`
 * stands in for the other tenants' actors that Capacity counts as owners.
 */
export function stepDeps(
  fp: FakePorts,
  over: Partial<DrainingDeps> & { contexts?: [string, TenantContext][] } = {},
) {
  const persisted: PersistCall[] = [];
  const steps: MigrationStep[] = [];
  const fenced: Error[] = [];
  const tracked: Promise<void>[] = [];
  const settled = new Set<Promise<void>>();
  let committed = 0;
  let running = true;
  let offset = 1000;
  const config = over.config ?? testConfig();
  const { contexts = [], ...rest } = over;
  const deps: DrainingDeps = {
    ports: fp.ports,
    config,
    table: fp.table,
    capacity: new Capacity(fp.ports.topics, () => contexts),
    load: new PartitionLoad(config.topics),
    acks: aliveKnown(new ProducerAcks()),
    running: () => running,
    persist: async (key, state, partitions, from) => {
      persisted.push({
        key,
        state,
        partitions: [...partitions],
        from: from === undefined ? undefined : [...from],
      });
      return offset++;
    },
    migrationStep: (e) => void steps.push(e),
    onFenced: (e) => void fenced.push(e),
    track: (p) => {
      tracked.push(p);
      void p.then(() => settled.add(p));
    },
    committed: () => void committed++,
    ...rest,
  };
  return {
    deps,
    persisted,
    steps,
    fenced,
    tracked,
    /** every step promise handed to `track` has settled (stop() would not wait for anything) */
    allSettled: () => tracked.length > 0 && tracked.every((p) => settled.has(p)),
    committedCount: () => committed,
    setRunning: (r: boolean) => void (running = r),
  };
}

/** A tenant's context as the machine would hand it to a step (shared, on hash partition 2, by default). */
/** A tenant's context as the machine starts it (orders/acme, strict, hash partition 2), with overrides. */
export const ctx = (over: Partial<TenantContext> = {}): TenantContext => ({
  ...initialTransition(tenantMachine, { ...input(), tenant: 'acme' })[0].context,
  ...over,
});

/**
 * Runs one step actor the way the tenant machine does: invoked by a tiny parent machine that records
 * every event the step sends back. Stopping the parent stops (aborts) the step.
 */
export function runStep(logic: AnyActorLogic, input: TenantContext) {
  const events: TenantEvent[] = [];
  const parent = setup({ types: { events: {} as TenantEvent }, actors: { step: logic } }).createMachine({
    invoke: { src: 'step', input },
    on: { '*': { actions: ({ event }) => void events.push(event) } },
  });
  const actor = createActor(parent);
  actor.start();
  return {
    events,
    types: () => events.map((e) => e.type),
    stop: () => void actor.stop(),
  };
}

/** Polls `cond` (every 5 ms of real time) until it holds; fails after `ms`. Not for fake timers. */
export async function waitUntil(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A promise with its resolve/reject in hand. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One offset poll: `committed` is group -> partition -> committed offset on topic `orders`. */
export const sample = (at: number, committed: Record<string, Record<number, number>>): OffsetSample => ({
  at,
  ends: new Map(),
  committed: new Map(
    Object.entries(committed).map(([g, byP]) => [
      g,
      new Map([['orders', new Map(Object.entries(byP).map(([p, o]) => [Number(p), o]))]]),
    ]),
  ),
});

/**
 * The windows a Controller under test follows, starting with one empty window: a drain waits for the
 * controller's first window to know which producers are alive (collect-acks.ts).
 */
export const windowsFrom = (at = Date.now()): BehaviorSubject<WindowSnapshot> =>
  new BehaviorSubject<WindowSnapshot>({
    at,
    partitions: [],
    tenants: [],
    producersAlive: [],
    producersGone: [],
  });
