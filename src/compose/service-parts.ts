import type { Admin } from 'kafkajs';
import type { FaultHold } from '../app/controller.js';
import { createTopicsReady } from '../adapters/kafka/internal-topics.js';
import type { ControllerTelemetry } from '../ports/controller-ports.js';

/** Small pieces of the controller service's composition: telemetry fan-out, fault holds, the election topic. */

export const combineTelemetry = (...ts: (ControllerTelemetry | undefined)[]): ControllerTelemetry => ({
  transition: (e) => ts.forEach((t) => t?.transition?.(e)),
  migrationStep: (e) => ts.forEach((t) => t?.migrationStep?.(e)),
  shadowDecision: (e) => ts.forEach((t) => t?.shadowDecision?.(e)),
  // Nested: each hook wraps the next, so every one of them sees fn run inside its context.
  inMigration: (topic, tenant, fn) =>
    ts.reduceRight<typeof fn>(
      (inner, t) => (t?.inMigration ? () => t.inMigration!(topic, tenant, inner) : inner),
      fn,
    )(),
});

// Kill tests (test/integration/faults) make a controller stop mid-drain at a known step.
export const faultHoldFromEnv = (): FaultHold | undefined => {
  const v = process.env['KTB_FAULT_HOLD'];
  return v === 'after-announce' || v === 'after-fence' || v === 'before-commit' ? v : undefined;
};

export async function ensureLeaderTopic(admin: Admin, topic: string): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) return;
  // Several standby controllers may race to create it.
  await createTopicsReady(admin, [{ topic, numPartitions: 1 }], { tolerateExisting: true });
}
