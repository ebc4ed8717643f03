import { routeKey } from '../../domain/route-record.js';
import { collectAcks, type AckDeps } from './collect-acks.js';
import { passHold, stepActor } from './step.js';

/**
 * Step 2 (`draining.announcing`): persist the draining route (producers that read it hold the
 * tenant's new records and ack), then collect the acks. Ends with `producers.acked`.
 */
export const announceDraining = (deps: AckDeps) =>
  stepActor('announceDraining', deps, async (c, { signal, send }) => {
    const offset = await deps.persist(routeKey(c.topic, c.tenant), 'draining', c.target ?? [], c.from ?? []);
    if (!(await passHold(deps, 'after-announce', signal))) return undefined;
    send({ type: 'drain.announced', offset, now: deps.ports.clock.now() });
    return (await collectAcks(deps, c, offset, signal)) ? { type: 'producers.acked' } : undefined;
  });
