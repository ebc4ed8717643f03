import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import type { TenantStatus } from '../../../src/app/controller.js';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { brokers, uniqueName, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const TOKEN = 'drain-timeout-token-123456';

describe.each(['wait', 'rollback'] as const)(
  'a consumer group that stops committing (drain timeout policy: %s)',
  (policy) => {
    let t: Topology;
    let svc: RunningController;
    let producer: SmartProducer;
    const groupId = uniqueName('stuck');

    beforeAll(async () => {
      t = await createTopology(`stuck-${policy}`, 2, 2);
      producer = new SmartProducer(t.kafka, { ...t.names, lingerMs: 1, routeLeaseMs: 3000 });
      await producer.connect();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          producer.send({ topic: t.topic, tenant: 'stuck-tenant', value: `v${i}` }),
        ),
      );
      // The group committed once, long ago, below today's log end: it is "stuck".
      const md = await producer.send({ topic: t.topic, tenant: 'stuck-tenant', value: 'last' });
      await t.admin.setOffsets({
        groupId,
        topic: t.topic,
        partitions: [{ partition: md.partition, offset: '1' }],
      });
      svc = await startControllerService(
        parseControllerConfig({
          brokers: brokers(),
          topics: [t.topic],
          ...t.names,
          groups: [groupId],
          tickMs: 200,
          windowMs: 1000,
          routeLeaseMs: 3000,
          authToken: TOKEN,
          http: { port: 0, host: '127.0.0.1' },
          thresholds: { drainTimeoutMs: 1500, drainTimeoutPolicy: policy },
        }),
        { logger: silentLogger() },
      );
    });
    afterAll(async () => {
      await producer?.disconnect();
      await svc?.stop();
      await t?.close();
    });

    const tenant = async (): Promise<TenantStatus | undefined> => {
      const body = (await (await fetch(`${svc.url}/tenants`)).json()) as { tenants: TenantStatus[] };
      return body.tenants.find((x) => x.tenant === 'stuck-tenant');
    };

    it('refuses a pin without the bearer token', async () => {
      const res = await fetch(`${svc.url}/tenants/${t.topic}/stuck-tenant/pin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(401);
      expect(await tenant()).toBeUndefined();
    });

    it('applies the policy when the drain times out, and shows it on /tenants', async () => {
      const res = await fetch(`${svc.url}/tenants/${t.topic}/stuck-tenant/pin`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(202);
      if (policy === 'wait') {
        const s = await waitFor(
          async () => {
            const x = await tenant();
            return x?.drain?.alert ? x : undefined;
          },
          'drain alert on /tenants',
          20_000,
          100,
        );
        expect(s.state).toBe('draining.waiting');
        expect(s.drain?.remaining).toBeGreaterThan(0);
      } else {
        const s = await waitFor(
          async () => {
            const x = await tenant();
            return x?.state === 'shared' && x.decision?.reason.includes('rolling back') ? x : undefined;
          },
          'rolled back to shared',
          20_000,
          100,
        );
        expect(s.partitions).toHaveLength(1);
        expect(s.partitions[0]).toBeLessThan(2);
        // The controller shows the rollback once its write is acknowledged; the producer applies the
        // record a moment later (read_committed): wait for its view, not for any route (CI once read
        // the draining record here).
        const route = await waitFor(() => {
          const r = producer.routes.table.route(t.topic, 'stuck-tenant');
          return r?.state === 'draining' ? undefined : r;
        }, 'the producer applies the rolled-back route');
        expect(route.state).toBe('shared');
        // The producer was released onto the old (shared) route.
        expect(
          (await producer.send({ topic: t.topic, tenant: 'stuck-tenant', value: 'after' })).partition,
        ).toBe(s.partitions[0]);
      }
    });
  },
);
