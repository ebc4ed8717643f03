import type { TenantContext } from '../../../machines/tenant.machine.js';
import { routeKey } from '../../domain/route-record.js';
import { leaseDeadline, leaseOver } from '../../policy/producer-lease.js';
import type { ProducerAcks } from './producer-acks.js';
import type { StepDeps } from './step.js';

export interface AckDeps extends StepDeps {
  readonly acks: ProducerAcks;
}

/**
 * Waits until every producer alive at the announcement (as the first complete window tells, for a
 * drain a just-started controller resumed) has acked the draining route (an ack counts
 * once the producer's own reports show it applied the record at `announceOffset`), or until the
 * lease of those that did not is over (src/policy/producer-lease.ts). Re-checks when an ack or a
 * report arrives, and at the next moment a lease could run out; resolves false if stopped first.
 */
export function collectAcks(
  deps: AckDeps,
  c: TenantContext,
  announceOffset: number,
  signal: AbortSignal,
): Promise<boolean> {
  const key = routeKey(c.topic, c.tenant);
  const announcedAt = deps.ports.clock.now();
  const leaseMs = deps.config.routeLeaseMs + deps.config.tickMs;
  /** the producers alive at the announcement, known once a complete window came */
  let expected: string[] | undefined;
  return new Promise<boolean>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (acked: boolean) => {
      sub.unsubscribe();
      clearTimeout(timer);
      signal.removeEventListener('abort', stopped);
      resolve(acked);
    };
    const stopped = () => finish(false);
    const check = () => {
      if (signal.aborted || !deps.running()) return finish(false);
      if (expected === undefined) {
        if (!deps.acks.knowsWhoIsAlive) return; // that window is a change: it checks again
        expected = deps.acks.liveProducers();
        deps.migrationStep({
          topic: c.topic,
          tenant: c.tenant,
          epoch: c.epoch,
          step: 'acks',
          phase: 'start',
          detail: { producers: expected.length },
        });
      }
      const acked = deps.acks.acked(key, c.epoch, announceOffset);
      const pending = expected.filter((p) => !acked.has(p));
      const now = deps.ports.clock.now();
      const expired = pending.filter((p) =>
        leaseOver(deps.acks.view(p), announcedAt, announceOffset, now, leaseMs),
      );
      if (pending.length > 0 && expired.length < pending.length) {
        // Only a lease still running can end the wait by running out: wake up when the first one may.
        const running = pending.filter((p) => !expired.includes(p));
        const next = Math.min(...running.map((p) => leaseDeadline(deps.acks.view(p), announcedAt, leaseMs)));
        clearTimeout(timer);
        timer = setTimeout(check, Math.max(1, next - now));
        return;
      }
      if (pending.length > 0)
        deps.ports.log.warn(
          { tenant: c.tenant, epoch: c.epoch, pending },
          "proceeding without acks: those producers' route lease expired",
        );
      deps.migrationStep({
        topic: c.topic,
        tenant: c.tenant,
        epoch: c.epoch,
        step: 'acks',
        phase: 'end',
        detail: { acked: acked.size, expired: pending.length },
      });
      finish(true);
    };
    const sub = deps.acks.changes$.subscribe(check);
    signal.addEventListener('abort', stopped);
    check();
  });
}
