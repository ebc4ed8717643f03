import type { Producer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/adapters/logger.js';
import type { ControllerConfig } from '../../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import type { TopicName } from '../../../src/domain/ids.js';
import { MAX_EPOCH, routeKey } from '../../../src/domain/route-record.js';
import { testControllerConfig } from '../helpers/controller.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 2;
const DEDICATED = 3;

/**
 * Forged or stray records on the routing topic, written as an outsider would: a plain producer
 * (no transaction) and a transactional one with its own id. None of them may stall, fence or
 * mislead the controller, before or after a restart.
 */
describe('the controller ignores forged routing records', () => {
  let t: Topology;
  let raw: Producer;
  let config: ControllerConfig;
  let svc: RunningController | undefined;

  const forge = async (tenant: string, over: Record<string, unknown>) => {
    const value = JSON.stringify({ ...t.route(tenant, {}), ...over });
    await raw.send({ topic: t.names.routingTopic, messages: [{ key: routeKey(t.topic, tenant), value }] });
  };
  const stateOf = (tenant: string) => svc?.controller.tenants().find((x) => x.tenant === tenant);
  const pinAndSettle = async (tenant: string) => {
    svc!.controller.command({ op: 'pin', topic: t.topic, tenant });
    return waitFor(
      () => {
        const s = stateOf(tenant);
        const committed = svc!.reader.table.route(t.topic, tenant)?.state === 'dedicated';
        return committed && s?.state === 'dedicated' && s.partitions[0]! >= SHARED ? s : undefined;
      },
      `${tenant} dedicated`,
      20_000,
    );
  };

  /** Every routing record before this one has been read by the controller's reader. */
  const barrier = async () => {
    const marker = `barrier-${Date.now()}`;
    const layout = {
      v: 1,
      kind: 'pools',
      shared: 1,
      total: 1,
      updatedAt: Date.now(),
      writerEpoch: 0,
    } as const;
    await t.writer.write({ ...layout, topic: marker as TopicName });
    await waitFor(() => svc!.reader.table.pools(marker), 'the reader past the barrier');
  };

  // Each test has its own topics and controller: a failure of one cannot explain another's.
  beforeEach(async () => {
    t = await createTopology('forged', SHARED, DEDICATED);
    raw = t.kafka.producer();
    await raw.connect();
    config = testControllerConfig(t);
    svc = await startControllerService(config, { logger: silentLogger() });
  }, 60_000);
  afterEach(async () => {
    await svc?.stop();
    await raw?.disconnect();
    await t?.close();
  });

  it('a route record with a writer epoch at the limit neither fences nor stalls it, across a restart', async () => {
    await forge('zz', { writerEpoch: Number.MAX_SAFE_INTEGER }); // out of range: malformed
    await forge('zy', { writerEpoch: MAX_EPOCH, partitions: [SHARED + 2] }); // in range, not transactional
    await barrier();
    expect(svc!.reader.malformed).toBeGreaterThanOrEqual(1);
    const first = await pinAndSettle('p1');
    expect(svc!.reader.table.route(t.topic, 'zy')).toBeUndefined();
    await svc!.stop();
    svc = await startControllerService(config, { logger: silentLogger() });
    const second = await pinAndSettle('p2');
    expect(second.partitions[0]).not.toBe(first.partitions[0]);
    expect(svc.reader.table.writerEpoch).toBeLessThan(MAX_EPOCH);
    expect(svc.reader.rejected).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('refuses routes that break the pools or ownership, and so does a restarted controller', async () => {
    const owned = (await pinAndSettle('p2')).partitions[0]!;
    await pinAndSettle('p1');
    // Written in a transaction (an outsider with its own transactional id), so only the rules stop them.
    await t.writer.write(t.route('thief', { partitions: [owned] }));
    await t.writer.write(t.route('squatter', { partitions: [0] }));
    await barrier();
    expect(svc!.reader.table.route(t.topic, 'thief')).toBeUndefined();
    expect(svc!.reader.table.route(t.topic, 'squatter')).toBeUndefined();
    expect(() =>
      svc!.controller.command({ op: 'move', topic: t.topic, tenant: 'p1', partitions: [owned] }),
    ).toThrow(/another tenant|held by/);
    const free = SHARED + DEDICATED - 1;
    expect(() =>
      svc!.controller.command({ op: 'move', topic: t.topic, tenant: 'p1', partitions: [free, free] }),
    ).toThrow(expect.objectContaining({ code: ErrorCode.RequestInvalid }));
    expect(svc!.reader.rejected).toBe(2);
    expect(await (await fetch(`${svc!.url}/metrics`)).text()).toMatch(
      /^ktb_rejected_route_records_total 2$/m,
    );
    await svc!.stop();
    svc = await startControllerService(config, { logger: silentLogger() });
    expect(svc.controller.tenants().map((x) => x.tenant)).not.toContain('thief');
    expect(svc.reader.table.ownerOf(t.topic, owned)).toBe('p2');
  }, 60_000);
});
