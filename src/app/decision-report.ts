import { ErrorCode } from '../domain/errors.js';
import type { TenantContext } from '../../machines/tenant.types.js';
import type { LogPort } from '../ports/controller-ports.js';
import type { GuardedTelemetry } from './guarded-telemetry.js';

/**
 * The machine's `recordDecision` effect: a decision is logged at info; a shadow decision (observe
 * mode, or a never-move tenant: nothing moved) is logged with `shadow: true`, counted by topic
 * (`ktb_shadow_decisions_total`) and sent to the telemetry hook (a span per shadow decision).
 */
export function decisionReporter(
  log: LogPort,
  telemetry: Pick<GuardedTelemetry, 'shadowDecision'>,
  shadowCounts: Map<string, number>,
): (c: TenantContext) => void {
  return ({ topic, tenant, decision: d, mode }) => {
    if (d === undefined) return;
    if (d.shadow !== true) {
      log.info({ topic, tenant, ...d }, `decision: ${d.reason}`);
      return;
    }
    shadowCounts.set(topic, (shadowCounts.get(topic) ?? 0) + 1);
    log.info({ topic, tenant, ...d, shadow: true, mode }, `shadow decision: ${d.reason}`);
    telemetry.shadowDecision({ topic, tenant, from: d.from, to: d.to, reason: d.reason, numbers: d.numbers });
  };
}

/** A drain past its timeout under the wait policy: the tenant stays held, and an operator should look. */
export const reportDrainStuck = (log: LogPort, c: TenantContext): void =>
  log.warn(
    { code: ErrorCode.DrainStuck, topic: c.topic, tenant: c.tenant, epoch: c.epoch },
    'drain timed out; keeping the tenant held (policy: wait)',
  );
