import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import type { ControllerConfig } from '../../../src/app/controller-config.js';
import { capturingLogger, testControllerConfig } from '../helpers/controller.js';
import {
  processedAll,
  startCheckedGroup,
  startKeyedSenders,
  type CheckedGroup,
} from '../helpers/gated-groups.js';
import { uniqueName, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const TENANTS = ['mover', 'other-1', 'other-2'];

/**
 * Faults around consumer-gated moves: a controller stopped between the fence and the settle, a gated
 * member stopped while it holds a tenant, and a member joining mid-hold. The group (ordered consumers,
 * one checker for all its members) must process every record, each tenant in order.
 */
describe('consumer-gated moves under faults', () => {
  let t: Topology;
  let svc: RunningController | undefined;
  let producer: SmartProducer;
  let senders: ReturnType<typeof startKeyedSenders>;
  const members: CheckedGroup[] = [];
  const groupId = uniqueName('gated-faults');
  let config: ControllerConfig;
  let logs: string[] = [];

  const start = async (faultHold?: string) => {
    if (faultHold !== undefined) process.env['KTB_FAULT_HOLD'] = faultHold;
    try {
      const captured = capturingLogger('info');
      logs = captured.lines;
      return await startControllerService(config, { logger: captured.logger });
    } finally {
      delete process.env['KTB_FAULT_HOLD'];
    }
  };
  const route = (tenant: string) => svc!.reader.table.route(t.topic, tenant);
  const holding = (tenant: string) =>
    members.find((m) => m.consumer.stats().holds.some((h) => h.tenant === tenant));

  beforeAll(async () => {
    t = await createTopology('gated-faults', 2, 4);
    config = testControllerConfig(t, {
      groups: [groupId],
      routeLeaseMs: 4000,
      thresholds: { isolateRate: 1_000_000, releaseRate: 0, cooldownMs: 0, drainTimeoutMs: 30_000 },
    });
    producer = new SmartProducer(t.kafka, {
      ...t.names,
      lingerMs: 5,
      trafficIntervalMs: 100,
      routeLeaseMs: 4000,
    });
    await producer.connect();
    const opts = { partitionsConsumedConcurrently: 3 };
    members.push(await startCheckedGroup(t.kafka, t, groupId, 10, opts));
    members.push(await startCheckedGroup(t.kafka, t, groupId, 10, opts, members[0]));
    senders = startKeyedSenders(producer, t.topic, TENANTS, new Set(), 25);
  }, 90_000);

  afterAll(async () => {
    await senders?.stop();
    await producer?.disconnect();
    for (const m of members) await m.consumer.stop();
    await svc?.stop();
    await t?.close();
  });

  it('a controller stopped between fence and settle: the next one settles with a fence, and a restart after the settle never takes it again', async () => {
    svc = await start('before-commit');
    svc.controller.command({ op: 'pin', topic: t.topic, tenant: 'mover' });
    await waitFor(
      () => (logs.some((l) => l.includes('fault hold reached: before-commit')) ? true : undefined),
      'the hold before the settle',
      20_000,
      20,
    );
    await svc.stop();
    svc = await start();
    const settled = await waitFor(
      () => {
        const r = route('mover');
        return r?.state === 'dedicated' ? r : undefined;
      },
      'mover settled by the next controller',
      30_000,
      20,
    );
    expect(settled.fences?.length).toBe(1);
    expect(settled.fences![0]!.epoch).toBe(settled.epoch);
    await svc.stop();
    svc = await start();
    // the settled record's snapshot was taken in `committing`: the third controller re-enters that
    // step and writes the same route again, with the same fence
    const after = await waitFor(
      () => svc!.controller.tenants().find((x) => x.tenant === 'mover' && x.state === 'dedicated'),
      'mover dedicated on the third controller',
      20_000,
      20,
    );
    expect(after.state).toBe('dedicated');
    expect(after.fences).toEqual(settled.fences);
    expect(route('mover')!.fences).toEqual(settled.fences);
  }, 120_000);

  it('a member stopped while it holds, and a member joining mid-hold: the group keeps every tenant in order, losing nothing', async () => {
    // this controller reads the announcements from the start of the acks topic
    await waitFor(
      async () => ((await svc!.gates.gated(t.topic, [groupId])).has(groupId) ? true : undefined),
      'the group gated on the current controller',
      15_000,
      50,
    );
    svc!.controller.command({ op: 'pin', topic: t.topic, tenant: 'other-1' });
    const holder = await waitFor(() => holding('other-1'), 'a member to hold other-1', 20_000, 5);
    await holder.consumer.stop();
    members.splice(members.indexOf(holder), 1);
    members.push(
      await startCheckedGroup(t.kafka, t, groupId, 10, { partitionsConsumedConcurrently: 3 }, members[0]),
    );
    await waitFor(
      () => (route('other-1')?.state === 'dedicated' ? true : undefined),
      'other-1 dedicated',
      30_000,
      20,
    );
    await senders.stop();
    for (const m of members) m.costMs = 0;
    await waitFor(
      () => (processedAll(members[0]!, senders.acked) ? true : undefined),
      'the group to process everything',
      60_000,
      100,
    );
    const r = members[0]!.checker.report();
    expect({ violations: r.violations, gaps: r.gaps, examples: r.examples }).toEqual({
      violations: 0,
      gaps: 0,
      examples: [],
    });
    expect(senders.failed()).toBe(0);
  }, 120_000);
});
