import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import type { TenantLoad } from '../../../src/demo/tenant-load.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { encodeTrafficReport } from '../../../src/domain/traffic-report-encode.js';
import type { TrafficReportV2 } from '../../../src/domain/traffic-report-v2.js';
import { startLoad, stopScenario, testControllerConfig } from '../helpers/controller.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 2;

/** Traffic reports v2 come from anyone who can write the traffic topic: forged parts are bounded. */
describe('the controller checks what v2 traffic reports claim', () => {
  let t: Topology;
  let raw: Producer;
  let svc: RunningController;
  let producer: SmartProducer;
  let load: TenantLoad;
  let seq = 0;

  const forged = (tenant: string, records: number, fraction = 0.02): TrafficReportV2 => {
    const now = Date.now();
    return {
      producerId: 'forger',
      seq: seq++,
      intervalStart: now - 100,
      intervalEnd: now,
      routesApplied: 1_000_000,
      fraction,
      topics: [
        {
          topic: t.topic,
          exact: [],
          partitions: [
            {
              partition: partitionForKey(tenant, SHARED),
              records,
              bytes: records * 100,
              errorBound: 0,
              named: [{ tenant, records, bytes: records * 100 }],
            },
          ],
        },
      ],
    };
  };
  const send = (values: Buffer[]) =>
    raw.send({ topic: t.names.trafficTopic, messages: values.map((value) => ({ key: 'forger', value })) });
  const malformed = async () =>
    Number(
      /^ktb_malformed_signal_records_total (\d+)$/m.exec(
        await (await fetch(`${svc.url}/metrics`)).text(),
      )?.[1],
    );

  beforeAll(async () => {
    t = await createTopology('signals-v2', SHARED, 1);
    raw = t.kafka.producer();
    await raw.connect();
    svc = await startControllerService(
      testControllerConfig(t, {
        windowMs: 1000,
        routeLeaseMs: 4000,
        thresholds: { isolateRate: 200, isolateShare: 0.3, hotWindows: 2, cooldownMs: 0, actorFloorRate: 5 },
      }),
      { logger: silentLogger() },
    );
    ({ producer, load } = await startLoad(t, 4000));
    load.set('quiet', { rate: 20 });
    load.start();
  }, 60_000);
  afterAll(async () => {
    await raw?.disconnect();
    await stopScenario({ load, producer, svc, t });
  });

  it('huge counts in forged and duplicated parts neither isolate a quiet tenant nor pass as its rate', async () => {
    await waitFor(() => svc.controller.tenants().find((x) => x.tenant === 'quiet'), 'quiet has an actor');
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      // 2^50 records claimed (a safe integer: it decodes), and the same part twice
      const [part] = encodeTrafficReport(forged('quiet', 2 ** 50), 512 * 1024);
      await send([part!, part!]);
      await new Promise((r) => setTimeout(r, 100));
    }
    const forgedUntil = Date.now();
    await waitFor(() => (svc.controller.lastWindowAt ?? 0) > forgedUntil + 300, 'windows after the claims');
    const quiet = svc.controller.tenants().find((x) => x.tenant === 'quiet');
    expect(quiet?.state).toBe('shared');
    expect(quiet!.rates!.recordsPerSec).toBeLessThan(200);
    expect(svc.reader.table.route(t.topic, 'quiet')).toBeUndefined();
  }, 45_000);

  it('skips and counts malformed v2 records: truncated, trailing bytes, a NaN fraction', async () => {
    const before = await malformed();
    const [ok] = encodeTrafficReport(forged('other', 10), 512 * 1024);
    const [nan] = encodeTrafficReport(forged('other', 10, Number.NaN), 512 * 1024);
    await send([ok!.subarray(0, ok!.length - 3), Buffer.concat([ok!, Buffer.from([0, 0])]), nan!]);
    await waitFor(async () => (await malformed()) >= before + 3, 'three malformed records counted');
  }, 30_000);
});
