import type { TenantEvent } from '../../../machines/tenant.machine.js';
import { drainWatch } from '../../streams/drain-watch.js';
import { stepActor, type StepDeps } from './step.js';

/**
 * Step 4 (`draining.waiting`): wait until every watched consumer group has committed past the fence
 * on every old partition (stop-and-wait), reporting progress. Ends with `drain.completed`; the drain
 * timeout (the machine's `drainTimeout` delay) bounds the wait.
 */
export const awaitConsumers = (deps: StepDeps) =>
  stepActor('awaitConsumers', deps, async (c, { signal, send }) => {
    // A tenant resumed after a restart has no fence in its snapshot: the log end now is a later,
    // still correct fence (the producers hold the tenant, so nothing of it was written since).
    const fence =
      c.drain?.fence !== undefined
        ? new Map(Object.entries(c.drain.fence).map(([p, o]) => [Number(p), o]))
        : await deps.ports.offsets.logEnd(c.topic, c.from ?? []);
    if (signal.aborted) return undefined;
    const groups = deps.ports.offsets.groups();
    deps.migrationStep({
      topic: c.topic,
      tenant: c.tenant,
      epoch: c.epoch,
      step: 'drain',
      phase: 'start',
      detail: { groups: groups.length },
    });
    if (groups.length === 0) {
      deps.ports.log.warn(
        { tenant: c.tenant, topic: c.topic },
        'no consumer group is watched; the drain has nothing to wait for',
      );
      return { type: 'drain.completed' };
    }
    return new Promise<TenantEvent | undefined>((resolve) => {
      let remaining: number | undefined;
      const sub = deps.ports.offsets.samples$.pipe(drainWatch(c.topic, fence, groups)).subscribe({
        next: (p) => {
          remaining = p.remaining;
          send({ type: 'drain.progress', remaining: p.remaining });
          deps.migrationStep({
            topic: c.topic,
            tenant: c.tenant,
            epoch: c.epoch,
            step: 'drain',
            phase: 'progress',
            detail: { remaining: p.remaining },
          });
        },
        complete: () => {
          signal.removeEventListener('abort', stopped);
          if (remaining !== 0 || signal.aborted) return resolve(undefined);
          deps.migrationStep({
            topic: c.topic,
            tenant: c.tenant,
            epoch: c.epoch,
            step: 'drain',
            phase: 'end',
          });
          resolve({ type: 'drain.completed' });
        },
      });
      const stopped = () => {
        sub.unsubscribe();
        resolve(undefined);
      };
      signal.addEventListener('abort', stopped);
    });
  });
