import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controllerTransactionalId, RouteWriter } from '../../../src/adapters/kafka/route-writer.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import type { ControllerConfig } from '../../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { capturingLogger, testControllerConfig } from '../helpers/controller.js';
import { freePort } from '../../support/free-port.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 2;

/** A second controller started by mistake, and a controller that a newer one fenced. */
describe('one controller acts per routing topic', () => {
  let t: Topology;
  let config: ControllerConfig;
  let first: RunningController;
  const { logger, lines } = capturingLogger();
  const readyz = async (svc: RunningController) => (await fetch(`${svc.url}/readyz`)).status;
  const settled = (tenant: string) =>
    waitFor(
      () => first.controller.tenants().find((x) => x.tenant === tenant && x.state === 'dedicated'),
      `${tenant} dedicated`,
    );

  beforeAll(async () => {
    t = await createTopology('second', SHARED, 3);
    config = testControllerConfig(t, { leaderSessionMs: 6000 });
    first = await startControllerService(config, { logger });
  }, 60_000);
  afterAll(async () => {
    await first?.stop();
    await t?.close();
  });

  it('a second instance without --ha refuses to start, and the first goes on acting', async () => {
    const leading = first.controller;
    await expect(startControllerService(config, { logger: silentLogger() })).rejects.toMatchObject({
      code: ErrorCode.ControllerConflict,
    });
    // Its join and leave were two rebalances of the election group: a rebalance alone does not end
    // leadership, so the first is still the same control plane, never restarted.
    expect(first.controller).toBe(leading);
    expect(lines.some((l) => l.includes('lost leadership'))).toBe(false);
    expect(await readyz(first)).toBe(200);
    first.controller.command({ op: 'pin', topic: t.topic, tenant: 'a' });
    await settled('a');
    await waitFor(() => first.reader.table.route(t.topic, 'a')?.state === 'dedicated', 'a committed');
  }, 60_000);

  it('a controller fenced by a newer one says so, stops acting and stops reporting ready', async () => {
    const usurper = new RouteWriter(
      t.kafka,
      config.routingTopic,
      controllerTransactionalId(config.routingTopic),
    );
    await usurper.connect();
    try {
      expect(await readyz(first)).toBe(200);
      first.controller.command({ op: 'pin', topic: t.topic, tenant: 'b' });
      await waitFor(() => first.controller.fenced, 'the first controller fenced').catch((e: unknown) => {
        throw new Error(`${String(e)}\n${lines.slice(-4).join('')}`);
      });
      expect(await readyz(first)).toBe(503);
      expect(await (await fetch(`${first.url}/metrics`)).text()).toMatch(/^ktb_controller_fenced 1$/m);
      expect(first.isLeader()).toBe(false);
      expect(lines.some((l) => l.includes(ErrorCode.ControllerFenced) && l.includes('"level":50'))).toBe(
        true,
      );
      // Its fenced write never became visible: no draining record for b reached the routing topic.
      expect(first.reader.table.route(t.topic, 'b')).toBeUndefined();
    } finally {
      await usurper.disconnect();
    }
  }, 60_000);
});

/**
 * The same mistake with a fixed HTTP port (as deployed: both instances asked for 8080). The election
 * runs before the port is bound, so the second learns it is not the leader and says so, instead of
 * failing on the port with EADDRINUSE.
 */
describe('a second controller on the same fixed port', () => {
  let t: Topology;
  let first: RunningController | undefined;

  beforeAll(async () => {
    t = await createTopology('second-port', SHARED, 2);
  }, 60_000);
  afterAll(async () => {
    await first?.stop();
    await t?.close();
  });

  it('refuses with KTB_CONTROLLER_CONFLICT, and the first keeps its port', async () => {
    const port = await freePort();
    const config = testControllerConfig(t, { leaderSessionMs: 6000, http: { port, host: '127.0.0.1' } });
    first = await startControllerService(config, { logger: silentLogger() });
    expect(first.url).toBe(`http://127.0.0.1:${port}`);
    await expect(startControllerService(config, { logger: silentLogger() })).rejects.toMatchObject({
      code: ErrorCode.ControllerConflict,
    });
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
  }, 60_000);
});
