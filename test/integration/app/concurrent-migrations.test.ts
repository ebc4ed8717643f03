import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionCount } from '../../../src/adapters/kafka/internal-topics.js';
import type { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import type { TenantLoad } from '../../../src/demo/tenant-load.js';
import { capturingLogger, startLoad, stopScenario, testControllerConfig } from '../helpers/controller.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 2;
const DEDICATED = 1;
const HOT = ['h-0', 'h-1', 'h-2', 'h-3', 'h-4'];
const STABLE = new Set(['shared', 'dedicated', 'sharded']);

/** Five tenants turn hot in the same window: the cap holds, and the topic grows without collisions. */
describe('maxConcurrentMigrations with tenants that turn hot together', () => {
  let t: Topology;
  let svc: RunningController;
  let producer: SmartProducer;
  let load: TenantLoad;
  let logs: string[] = [];

  beforeAll(async () => {
    t = await createTopology('concurrent', SHARED, DEDICATED);
    const captured = capturingLogger('warn');
    logs = captured.lines;
    svc = await startControllerService(
      testControllerConfig(t, {
        windowMs: 1000,
        routeLeaseMs: 4000,
        thresholds: {
          isolateRate: 150,
          isolateShare: 0.1,
          hotWindows: 2,
          partitionCapacity: 1000,
          headroom: 0.8,
          cooldownMs: 0,
          actorFloorRate: 5,
          maxConcurrentMigrations: 2,
        },
      }),
      { logger: captured.logger },
    );
    ({ producer, load } = await startLoad(t, 4000));
  }, 60_000);
  afterAll(async () => {
    await stopScenario({ load, producer, svc, t });
  });

  it('never runs more than the cap at once, and every tenant ends on its own partition', async () => {
    for (const h of HOT) load.set(h, { rate: 400 });
    load.start();
    let most = 0;
    const settled = await waitFor(
      () => {
        const hot = svc.controller.tenants().filter((x) => HOT.includes(x.tenant));
        most = Math.max(most, hot.filter((x) => !STABLE.has(x.state)).length);
        return hot.length === HOT.length && hot.every((x) => x.state === 'dedicated') ? hot : undefined;
      },
      'all five dedicated',
      45_000,
      10,
    );
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(2);
    const partitions = settled.map((x) => x.partitions[0]!);
    expect(new Set(partitions).size).toBe(HOT.length);
    expect(partitions.every((p) => p >= SHARED)).toBe(true);
    expect(await partitionCount(t.admin, t.topic)).toBe(SHARED + HOT.length);
    expect(logs.filter((l) => /effect failed|Number of partitions/.test(l))).toEqual([]);
    expect(load.failed).toBe(0);
  }, 60_000);
});
