import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import {
  schemaDeserializer,
  schemaIdOf,
  schemaSerializer,
  type SchemaSerializer,
} from '../../../src/adapters/schema-registry/index.js';
import { Headers } from '../../../src/domain/record-headers.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { collect } from '../helpers/collect.js';
import { testControllerConfig } from '../helpers/controller.js';
import { waitFor } from '../helpers/kafka.js';
import { avro, eventV1, sharedRegistry } from '../helpers/registry.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 2;
const TENANTS = ['acme', 'small-1', 'small-2'];

interface TenantEvent {
  tenant: string;
  seq: number;
}

describe('Avro values through the SmartProducer and the schema registry, across a tenant move', () => {
  let t: Topology;
  let svc: RunningController;
  let producer: SmartProducer<TenantEvent>;
  let serializer: SchemaSerializer<TenantEvent>;

  beforeAll(async () => {
    t = await createTopology('avro-move', SHARED, 2);
    svc = await startControllerService(testControllerConfig(t), { logger: silentLogger() });
    serializer = schemaSerializer<TenantEvent>({ registry: sharedRegistry(), schema: avro(eventV1) });
    producer = new SmartProducer<TenantEvent>(
      t.kafka,
      { ...t.names, lingerMs: 5, trafficIntervalMs: 100, routeLeaseMs: 2000 },
      { serializer },
    );
    await producer.connect();
  }, 60_000);
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.stop();
    await t?.close();
  });

  it('reads every record back decoded by its schema id, in order per tenant, before and after the pin', async () => {
    const next = new Map(TENANTS.map((x) => [x, 0]));
    const batch = () =>
      producer.sendMany(
        TENANTS.map((tenant) => {
          const seq = next.get(tenant)!;
          next.set(tenant, seq + 1);
          return { topic: t.topic, tenant, key: tenant, value: { tenant, seq } };
        }),
      );
    for (let i = 0; i < 30; i++) await batch();

    // The pin moves acme while its records keep coming: the drain holds them, the route changes.
    svc.controller.command({ op: 'pin', topic: t.topic, tenant: 'acme' });
    const sending = (async () => {
      let afterMove = 0;
      while (afterMove < 30) {
        await batch();
        if (svc.reader.table.route(t.topic, 'acme')?.state === 'dedicated') afterMove++;
      }
    })();
    await waitFor(
      () => svc.controller.tenants().find((x) => x.tenant === 'acme')?.state === 'dedicated',
      'acme dedicated',
      30_000,
    );
    await sending;
    const total = [...next.values()].reduce((a, b) => a + b, 0);
    // One registry lookup for the subject, not one per record.
    expect(serializer.registryLookups()).toBe(1);

    const read = await collect(t.kafka, t.topic);
    try {
      await waitFor(() => read.seen.length >= total, `${total} records read back`, 30_000);
    } finally {
      await read.stop();
    }
    const decode = schemaDeserializer({ registry: sharedRegistry() });
    const ids = new Set(read.seen.map((r) => schemaIdOf(r.bytes!)));
    expect(ids.size).toBe(1);
    const byTenant = new Map<string, { partition: number; seq: number }[]>();
    for (const r of [...read.seen].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
      const v = (await decode(r.bytes!)) as TenantEvent;
      expect(r.headers[Headers.tenantId]).toBe(v.tenant);
      byTenant.set(v.tenant, [...(byTenant.get(v.tenant) ?? []), { partition: r.partition, seq: v.seq }]);
    }
    for (const tenant of TENANTS) {
      const seen = byTenant.get(tenant) ?? [];
      // exactly once each: 0..n-1
      expect(seen.map((s) => s.seq).sort((a, b) => a - b)).toEqual([...Array(next.get(tenant)).keys()]);
      // in order within each partition
      for (const p of new Set(seen.map((s) => s.partition))) {
        const seqs = seen.filter((s) => s.partition === p).map((s) => s.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
    }
    // acme moved: its records before the move are on a shared partition, after it on a dedicated one,
    // and every one on the dedicated partition comes after every one on the shared partition.
    const acme = byTenant.get('acme')!;
    const shared = acme.filter((s) => s.partition < SHARED).map((s) => s.seq);
    const dedicated = acme.filter((s) => s.partition >= SHARED).map((s) => s.seq);
    expect(shared.length).toBeGreaterThan(0);
    expect(dedicated.length).toBeGreaterThanOrEqual(30);
    expect(Math.max(...shared)).toBeLessThan(Math.min(...dedicated));
  }, 90_000);
});
