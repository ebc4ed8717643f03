import { routeKey, stateOfRoute } from '../../domain/route-record.js';
import type { Capacity } from '../capacity.js';
import type { ProducerAcks } from './producer-acks.js';
import { passHold, stepActor, type StepDeps } from './step.js';

export interface CommitDeps extends StepDeps {
  readonly acks: ProducerAcks;
  readonly capacity: Capacity;
  /** counts a finished move */
  readonly committed: () => void;
}

/**
 * Step 5 (`committing`): persist the settled route (the new partitions, or the old ones after a
 * rollback); producers release the tenant's held records to it. Ends with `route.committed`.
 */
export const commitRoute = (deps: CommitDeps) =>
  stepActor('commitRoute', deps, async (c, { signal }) => {
    if (!(await passHold(deps, 'before-commit', signal))) return undefined;
    const key = routeKey(c.topic, c.tenant);
    const target = c.target ?? c.partitions;
    deps.migrationStep({ topic: c.topic, tenant: c.tenant, epoch: c.epoch, step: 'commit', phase: 'start' });
    // The fence was taken once (fencing) and is persisted with the settled route: a restarted
    // controller re-enters this step with the same fence, never a new one.
    await deps.persist(key, stateOfRoute(target), target, undefined, c.drain?.fence);
    deps.acks.forget(key);
    deps.capacity.release(key);
    deps.committed();
    deps.migrationStep({
      topic: c.topic,
      tenant: c.tenant,
      epoch: c.epoch,
      step: 'commit',
      phase: 'end',
      detail: { partitions: target.join(',') },
    });
    return { type: 'route.committed', now: deps.ports.clock.now() };
  });
