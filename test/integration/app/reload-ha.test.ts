import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/adapters/logger.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { ErrorCode, type TenantBalancerError } from '../../../src/domain/errors.js';
import { testControllerConfig } from '../helpers/controller.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

/** With --ha, a reload on a standby is kept for the Controller it builds when it takes over. */
describe('config reload on a standby (--ha)', () => {
  let t: Topology;
  let a: RunningController | undefined;
  let b: RunningController | undefined;
  const path = join(mkdtempSync(join(tmpdir(), 'ktb-reload-ha-')), 'controller.json');
  const read = () =>
    testControllerConfig(t, {
      ha: true,
      ...(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>),
    });

  beforeAll(async () => {
    t = await createTopology('reload-ha', 2, 1);
    writeFileSync(path, JSON.stringify({ mode: 'act' }));
    a = await startControllerService(read(), { logger: silentLogger(), reloadConfig: read });
    await waitFor(() => a!.isLeader(), 'A leads', 20_000);
    b = await startControllerService(read(), { logger: silentLogger(), reloadConfig: read });
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await t?.close();
  });

  it("the standby's next Controller starts in the reloaded mode", async () => {
    expect(b!.isLeader()).toBe(false);
    writeFileSync(path, JSON.stringify({ mode: 'observe' }));
    expect(b!.reload()).toEqual({ mode: 'observe', changes: ['mode'] });
    expect(b!.config().mode).toBe('observe');
    // A was not told: each instance reloads its own config
    expect(a!.controller.mode).toBe('act');
    await a!.stop();
    a = undefined;
    const c = await waitFor(() => (b!.isLeader() ? b!.controller : undefined), 'B takes over', 30_000, 100);
    expect(c.mode).toBe('observe');
    let refused: TenantBalancerError | undefined;
    try {
      c.command({ op: 'pin', topic: t.topic, tenant: 'acme' });
    } catch (e) {
      refused = e as TenantBalancerError;
    }
    expect(refused?.code).toBe(ErrorCode.ObserveMode);
  }, 60_000);
});
