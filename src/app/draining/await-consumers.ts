import { awaitFence, splitGroups } from './fence-wait.js';
import { stepActor, type StepDeps } from './step.js';

/**
 * Step 4 (`draining.waiting`): wait until every group the move waits for has committed past the
 * fence on every old partition (stop-and-wait), reporting progress per group. Consumer-gated groups
 * (the ordered consumer: they hold the moved tenant themselves, docs/protocol.md) are not waited
 * for: with only gated groups, the settled route is written at once and producers hold the tenant
 * only for the ack round trip and one routing write. Ends with `drain.completed`; the drain timeout
 * (the machine's `drainTimeout` delay) bounds the wait.
 */
export const awaitConsumers = (deps: StepDeps) =>
  stepActor('awaitConsumers', deps, async (c, { signal, send }) => {
    // A tenant resumed after a restart has no fence in its snapshot: the log end now is a later,
    // still correct fence (the producers hold the tenant, so nothing of it was written since). It is
    // recorded, so the settled route carries it for the ordered consumers.
    let fenceObject = c.drain?.fence;
    if (fenceObject === undefined) {
      const taken = await deps.ports.offsets.logEnd(c.topic, c.from ?? []);
      if (signal.aborted) return undefined;
      fenceObject = Object.fromEntries(taken);
      send({ type: 'fence.taken', fence: fenceObject });
    }
    const fence = new Map(Object.entries(fenceObject).map(([p, o]) => [Number(p), o]));
    const split = await splitGroups(deps, c.topic);
    if (signal.aborted) return undefined;
    deps.migrationStep({
      topic: c.topic,
      tenant: c.tenant,
      epoch: c.epoch,
      step: 'drain',
      phase: 'start',
      detail: {
        groups: split.all.length,
        waitFor: split.waitFor.join(','),
        gated: split.gated.join(','),
      },
    });
    send({ type: 'drain.progress', remaining: 0, byGroup: {}, gated: split.gated });
    if (split.waitFor.length === 0) {
      if (split.all.length === 0)
        deps.ports.log.warn(
          { tenant: c.tenant, topic: c.topic },
          'no consumer group is watched; the drain has nothing to wait for',
        );
      // the drain's span still says what happened: nothing to wait for, and which groups hold themselves
      deps.migrationStep({
        topic: c.topic,
        tenant: c.tenant,
        epoch: c.epoch,
        step: 'drain',
        phase: 'progress',
        detail: { remaining: 0, gated: split.gated.join(',') },
      });
      deps.migrationStep({ topic: c.topic, tenant: c.tenant, epoch: c.epoch, step: 'drain', phase: 'end' });
      return { type: 'drain.completed' };
    }
    const passed = await awaitFence(deps, c, fence, split.waitFor, 'drain', {
      signal,
      send,
      gated: split.gated,
    });
    if (!passed) return undefined;
    deps.migrationStep({ topic: c.topic, tenant: c.tenant, epoch: c.epoch, step: 'drain', phase: 'end' });
    return { type: 'drain.completed' };
  });
