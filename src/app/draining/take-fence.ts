import { passHold, stepActor, type StepDeps } from './step.js';

/**
 * Step 3 (`draining.fencing`): every producer holds the tenant, so the log-end offsets of its old
 * partitions now bound all of its records there: that is the fence. Ends with `fence.taken`.
 */
export const takeFence = (deps: StepDeps) =>
  stepActor('takeFence', deps, async (c, { signal }) => {
    deps.migrationStep({ topic: c.topic, tenant: c.tenant, epoch: c.epoch, step: 'fence', phase: 'start' });
    const fence = await deps.ports.offsets.logEnd(c.topic, c.from ?? []);
    if (!(await passHold(deps, 'after-fence', signal))) return undefined;
    deps.migrationStep({
      topic: c.topic,
      tenant: c.tenant,
      epoch: c.epoch,
      step: 'fence',
      phase: 'end',
      detail: Object.fromEntries([...fence].map(([p, o]) => [`p${p}`, o])),
    });
    return { type: 'fence.taken', fence: Object.fromEntries(fence) };
  });
