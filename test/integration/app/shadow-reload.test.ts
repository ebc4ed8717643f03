import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import type { TenantStatus } from '../../../src/app/controller.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import type { TenantLoad } from '../../../src/demo/tenant-load.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { capturingLogger, startLoad, stopScenario, testControllerConfig } from '../helpers/controller.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const TOKEN = 'shadow-reload-token-0123';
const LEASE = 2000;
const HOT = { isolateRate: 150, isolateShare: 0.1, hotWindows: 2, cooldownMs: 0, actorFloorRate: 5 };

/**
 * An in-process controller whose config "file" is a JSON file of the reloadable part over the test's
 * base config (what the CLI does with --config: the file re-read, the same schema).
 */
async function startWithFile(t: Topology, file: Record<string, unknown>) {
  const path = join(mkdtempSync(join(tmpdir(), 'ktb-reload-')), 'controller.json');
  const write = (c: unknown) => writeFileSync(path, JSON.stringify(c));
  write(file);
  const read = () =>
    testControllerConfig(t, {
      authToken: TOKEN,
      ...(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>),
    });
  const captured = capturingLogger('info');
  const svc = await startControllerService(read(), { logger: captured.logger, reloadConfig: read });
  return { svc, write, lines: captured.lines };
}

const tenants = async (svc: RunningController) =>
  (await (await fetch(`${svc.url}/tenants`)).json()) as { mode: string; tenants: TenantStatus[] };
const post = (svc: RunningController, path: string, body: unknown = {}) =>
  fetch(`${svc.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('shadow mode on the real broker: decide and report, move no one, then act after a reload', () => {
  let t: Topology;
  let svc: RunningController;
  let write: (c: unknown) => void;
  let lines: string[];
  let producer: SmartProducer;
  let load: TenantLoad;

  beforeAll(async () => {
    t = await createTopology('shadow', 2, 2);
    ({ svc, write, lines } = await startWithFile(t, { mode: 'observe', thresholds: HOT }));
    ({ producer, load } = await startLoad(t, LEASE));
    load.set('whale', { rate: 400 });
    load.start();
  }, 60_000);
  afterAll(async () => {
    await stopScenario({ load, producer, svc, t });
  });

  it('shows observe mode in /tenants and /metrics, and refuses an operator pin with 409 KTB_OBSERVE_MODE', async () => {
    expect((await tenants(svc)).mode).toBe('observe');
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toContain('ktb_observe_mode 1');
    const r = await post(svc, `/tenants/${t.topic}/minnow/pin`);
    expect(r.status).toBe(409);
    const body = (await r.json()) as { code: string; error: string };
    expect(body.code).toBe(ErrorCode.ObserveMode);
    expect(body.error).toMatch(/switch to act/);
    expect(svc.reader.table.route(t.topic, 'minnow')).toBeUndefined();
  });

  // Needs the tenant machine's observe-mode behaviour (a shadow decision instead of a move).
  it('reports the would-decision for a hot whale (status, log, metric) and writes no route record', async () => {
    const whale = await waitFor(
      async () =>
        (await tenants(svc)).tenants.find((x) => x.tenant === 'whale' && x.decision?.shadow === true),
      'a shadow decision for the whale',
      30_000,
      100,
    );
    expect(whale.decision!.reason).toMatch(/^would /);
    expect(whale.state).toBe('shared');
    // the routing topic (as the table reads it) has no record for the whale: nothing was written
    expect(svc.reader.table.route(t.topic, 'whale')).toBeUndefined();
    const shadowLog = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['shadow'] === true);
    expect(shadowLog).toMatchObject({ level: 30, topic: t.topic, tenant: 'whale', shadow: true });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    const count = Number(/ktb_shadow_decisions_total\{topic="[^"]+"\} (\d+)/.exec(metrics)?.[1]);
    expect(count).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('switches to act on POST /config/reload, without a restart: the whale moves, pin is accepted', async () => {
    write({ mode: 'act', thresholds: HOT });
    const reloadedAt = Date.now();
    const r = await post(svc, '/config/reload');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'reloaded', mode: 'act', changes: ['mode'] });
    expect((await tenants(svc)).mode).toBe('act');
    const route = await waitFor(
      () => {
        const x = svc.reader.table.route(t.topic, 'whale');
        return x?.state === 'dedicated' ? x : undefined;
      },
      'the whale dedicated',
      30_000,
      100,
    );
    expect(route.partitions[0]).toBeGreaterThanOrEqual(2);
    // the move was decided and written after the switch, not in observe mode
    expect(route.updatedAt).toBeGreaterThanOrEqual(reloadedAt);
    expect((await post(svc, `/tenants/${t.topic}/minnow/pin`)).status).toBe(202);
  }, 40_000);
});

describe('config reload on the real broker: thresholds change live; a bad file changes nothing', () => {
  let t: Topology;
  let svc: RunningController;
  let write: (c: unknown) => void;
  let lines: string[];
  let producer: SmartProducer;
  let load: TenantLoad;
  const COLD = { ...HOT, isolateRate: 5000 };

  beforeAll(async () => {
    t = await createTopology('reload', 2, 2);
    ({ svc, write, lines } = await startWithFile(t, { thresholds: COLD }));
    ({ producer, load } = await startLoad(t, LEASE));
    load.set('whale', { rate: 400 });
    load.start();
  }, 60_000);
  afterAll(async () => {
    await stopScenario({ load, producer, svc, t });
  });

  it('refuses an invalid file with the field named (400) and keeps the config in force', async () => {
    // the whale runs at 400 rec/s, below isolateRate 5000: followed, not moved
    await waitFor(
      async () =>
        (await tenants(svc)).tenants.find((x) => x.tenant === 'whale' && (x.rates?.recordsPerSec ?? 0) > 200),
      'the whale followed at its rate',
      20_000,
      100,
    );
    write({ thresholds: { ...COLD, hotWindows: 0 } });
    const r = await post(svc, '/config/reload');
    expect(r.status).toBe(400);
    const body = (await r.json()) as { code: string; error: string };
    expect(body.code).toBe(ErrorCode.ConfigInvalid);
    expect(body.error).toContain('thresholds.hotWindows');
    const logged = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['code'] === ErrorCode.ConfigInvalid);
    expect(logged).toMatchObject({ level: 50 });
    expect(String(logged!['msg'])).toMatch(
      /config reload refused: .*thresholds\.hotWindows.*the config in force is unchanged/,
    );
    expect(svc.config().thresholds.isolateRate).toBe(5000);
    expect(svc.reader.table.route(t.topic, 'whale')).toBeUndefined();
  });

  it('refuses a change only a restart applies (409), naming the field', async () => {
    write({ thresholds: HOT, routeLeaseMs: 9000 });
    const r = await post(svc, '/config/reload');
    expect(r.status).toBe(409);
    const body = (await r.json()) as { code: string; error: string };
    expect(body.code).toBe(ErrorCode.ConfigRestartRequired);
    expect(body.error).toMatch(/routeLeaseMs changed, and only a restart applies it/);
    expect(svc.config().thresholds.isolateRate).toBe(5000);
  });

  it('applies a lower isolateRate at once: the whale, hot under it, is isolated with no restart', async () => {
    write({ thresholds: HOT });
    const r = await post(svc, '/config/reload');
    expect(r.status).toBe(200);
    expect(((await r.json()) as { changes: string[] }).changes).toEqual(['thresholds.isolateRate']);
    expect(svc.config().thresholds.isolateRate).toBe(150);
    const route = await waitFor(
      () => {
        const x = svc.reader.table.route(t.topic, 'whale');
        return x?.state === 'dedicated' ? x : undefined;
      },
      'the whale dedicated',
      30_000,
      100,
    );
    // the decision was taken against the reloaded threshold
    expect(route.reason).toMatch(/>= 150\/s/);
  }, 40_000);
});
