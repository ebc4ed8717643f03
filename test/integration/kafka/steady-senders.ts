import type { RecordMetadata, SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import type { TenantBalancerError } from '../../../src/domain/errors.js';

export interface Acked extends RecordMetadata {
  readonly seq: number;
}
export interface Failed {
  readonly seq: number;
  readonly error: TenantBalancerError;
  /** ms from send() to the rejection */
  readonly afterMs: number;
}

export interface SteadySenders {
  readonly acked: Map<string, Acked[]>;
  readonly failed: Map<string, Failed[]>;
  /** records sent so far per tenant (the next record's seq) */
  readonly sent: Map<string, number>;
  /** every failure, all tenants */
  allFailed(): (Failed & { tenant: string })[];
  /** stops sending and waits until every record sent has settled */
  stop(): Promise<void>;
}

/**
 * Sends one record per tenant every `everyMs` (values `tenant-seq`) without waiting for acks, the
 * way an application keeps sending while routes change; records what was acknowledged and what failed.
 */
export function startSteadySenders(
  p: SmartProducer,
  topic: string,
  tenants: readonly string[],
  everyMs = 5,
): SteadySenders {
  const acked = new Map(tenants.map((t) => [t, [] as Acked[]]));
  const failed = new Map(tenants.map((t) => [t, [] as Failed[]]));
  const sent = new Map(tenants.map((t) => [t, 0]));
  const outstanding = new Set<Promise<unknown>>();
  const timer = setInterval(() => {
    for (const tenant of tenants) {
      const seq = sent.get(tenant)!;
      sent.set(tenant, seq + 1);
      const at = Date.now();
      const done = p.send({ topic, tenant, value: `${tenant}-${seq}` }).then(
        (md) => void acked.get(tenant)!.push({ ...md, seq }),
        (error: TenantBalancerError) =>
          void failed.get(tenant)!.push({ seq, error, afterMs: Date.now() - at }),
      );
      outstanding.add(done);
      void done.finally(() => outstanding.delete(done));
    }
  }, everyMs);
  return {
    acked,
    failed,
    sent,
    allFailed: () => [...failed].flatMap(([tenant, fs]) => fs.map((f) => ({ ...f, tenant }))),
    stop: async () => {
      clearInterval(timer);
      await Promise.allSettled([...outstanding]);
    },
  };
}
