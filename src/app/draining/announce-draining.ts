import type { TenantContext } from '../../../machines/tenant.machine.js';
import { routeKey } from '../../domain/route-record.js';
import { collectAcks, type AckDeps } from './collect-acks.js';
import { awaitFence, gatingOf, splitGroups } from './fence-wait.js';
import { passHold, stepActor, type StepScope } from './step.js';

/**
 * Step 2 (`draining.announcing`): persist the draining route (producers that read it hold the
 * tenant's new records and ack), then collect the acks. Ends with `producers.acked`.
 *
 * A move of a tenant whose previous move was consumer-gated starts only once every gated group has
 * committed past that move's fence (docs/protocol.md): the fence history a live group must check stays
 * one fence long, and no producer holds anything while it waits (nothing is announced yet).
 */
export const announceDraining = (deps: AckDeps) =>
  stepActor('announceDraining', deps, async (c, scope) => {
    const { signal, send } = scope;
    if (!(await previousFencePassed(deps, c, scope))) return undefined;
    const offset = await deps.persist(routeKey(c.topic, c.tenant), 'draining', c.target ?? [], c.from ?? []);
    if (!(await passHold(deps, 'after-announce', signal))) return undefined;
    send({ type: 'drain.announced', offset, now: deps.ports.clock.now() });
    return (await collectAcks(deps, c, offset, signal)) ? { type: 'producers.acked' } : undefined;
  });

async function previousFencePassed(deps: AckDeps, c: TenantContext, scope: StepScope): Promise<boolean> {
  const previous = c.fences?.at(-1);
  if (previous === undefined || gatingOf(deps, c.topic) === 'producer') return !scope.signal.aborted;
  const split = await splitGroups(deps, c.topic);
  if (split.gated.length === 0 || scope.signal.aborted) return !scope.signal.aborted;
  const step = { topic: c.topic, tenant: c.tenant, epoch: c.epoch, step: 'previous-fence' } as const;
  deps.migrationStep({
    ...step,
    phase: 'start',
    detail: { fenceEpoch: previous.epoch, groups: split.gated.join(',') },
  });
  const fence = new Map(Object.entries(previous.offsets).map(([p, o]) => [Number(p), o]));
  const passed = await awaitFence(deps, c, fence, split.gated, 'previous-fence', {
    ...scope,
    gated: split.gated,
  });
  if (passed) deps.migrationStep({ ...step, phase: 'end' });
  return passed;
}
