import type { AnyActorRef, Snapshot } from 'xstate';
import type { TenantContext } from '../../../machines/tenant.machine.js';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import { MAX_FENCES, type RouteState, type TenantRoute } from '../../domain/route-record.js';
import type { ControllerPorts } from '../../ports/controller-ports.js';

/** What the journal needs of a tenant actor: its context now, and its snapshot to persist. */
export interface JournalActor {
  getSnapshot(): { readonly context: TenantContext };
  getPersistedSnapshot(): Snapshot<unknown>;
}

/**
 * Writes a tenant's route record with its machine snapshot, the step's "persist before act". The
 * snapshot is stored without its invoked steps (`children`): a restored tenant re-enters its step
 * instead (TenantRegistry). One tenant's records are written one at a time, in call order, so a step
 * stopped mid-write can never land its record after the next step's.
 */
export class RouteJournal {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly ports: ControllerPorts,
    private readonly writerEpoch: () => number,
    private readonly actorOf: (key: string) => JournalActor | AnyActorRef | undefined,
    private readonly inMigration: <T>(topic: string, tenant: string, fn: () => T) => T,
  ) {}

  persist(
    key: string,
    state: RouteState,
    partitions: readonly number[],
    from?: readonly number[],
    fence?: Readonly<Record<string, number>>,
  ): Promise<number> {
    const actor = this.actorOf(key) as JournalActor | undefined;
    if (actor === undefined)
      return Promise.reject(
        new TenantBalancerError(
          ErrorCode.TenantInvalid,
          `no tenant actor for "${key}" while one of its steps ran (it was retired mid-move: a bug, please report it)`,
        ),
      );
    const c = actor.getSnapshot().context;
    const { children: _steps, ...machine } = actor.getPersistedSnapshot() as Snapshot<unknown> & {
      children?: unknown;
    };
    // Every write carries the tenant's fence history (ordered consumers read it); a settled route
    // that ends a drain adds the fence its move took.
    const fences =
      fence === undefined
        ? (c.fences ?? [])
        : [
            ...(c.fences ?? []).filter((f) => f.epoch < c.epoch),
            { epoch: c.epoch, offsets: { ...fence } },
          ].slice(-MAX_FENCES);
    const route: TenantRoute = {
      v: 1,
      kind: 'route',
      topic: c.topic as TenantRoute['topic'],
      tenant: c.tenant as TenantRoute['tenant'],
      state,
      partitions: [...partitions],
      ...(from !== undefined ? { from: [...from] } : {}),
      epoch: c.epoch,
      ordering: c.ordering,
      reason: c.decision?.reason ?? '',
      updatedAt: this.ports.clock.now(),
      writerEpoch: this.writerEpoch(),
      ...(fences.length > 0 ? { fences } : {}),
      machine,
    };
    const write = (this.tails.get(key) ?? Promise.resolve()).then(() =>
      this.inMigration(c.topic, c.tenant, () => this.ports.routes.write(route)),
    );
    const tail = write.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return write;
  }
}
