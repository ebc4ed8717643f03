import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from '../helpers/kafka.js';
import type { CliProcess } from '../helpers/processes.js';
import { createTopology, type Topology } from '../helpers/topology.js';
import { controllerLauncher, pinOverHttp, startWorkload, type Workload } from '../helpers/workload.js';

const TOKEN = 'kill-test-token-0123456789';
const steps = ['after-announce', 'after-fence', 'before-commit'] as const;

describe.each(steps)('controller SIGKILLed mid-drain (%s), then restarted', (step) => {
  let t: Topology;
  let w: Workload | undefined;
  const procs: CliProcess[] = [];
  const groupId = uniqueName('kill-consumers');

  const startController = async (env: Record<string, string> = {}) =>
    controllerLauncher(t, { groupId, token: TOKEN }, procs)(env);

  beforeAll(async () => {
    t = await createTopology(`kill-${step}`, 2, 2);
    w = await startWorkload(t, {
      groupId,
      tenants: { vip: { rate: 100 }, a: { rate: 100 }, b: { rate: 100 }, c: { rate: 100 } },
      members: 2,
      costMicros: 200,
      routeLeaseMs: 3000,
    });
  });

  afterAll(async () => {
    await w?.stop();
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await t?.close();
  });

  it('completes the migration after the restart, in order, losing nothing', async () => {
    const { producer, consumer, load } = w!;
    const first = await startController({ KTB_FAULT_HOLD: step });
    const c1 = first.p;
    const res = await pinOverHttp(first.port, t.topic, 'vip', TOKEN);
    expect(res.status).toBe(202);
    await c1.waitForOutput(new RegExp(`fault hold reached: ${step}`), `hold at ${step}`);
    await c1.kill('SIGKILL');
    const held = producer.routes.table.route(t.topic, 'vip');
    expect(held?.state).toBe('draining');

    const c2 = (await startController()).p;
    const settled = await waitFor(
      () => {
        const r = producer.routes.table.route(t.topic, 'vip');
        return r?.state === 'dedicated' ? r : undefined;
      },
      'vip dedicated after restart',
      40_000,
      100,
    );
    expect(settled.epoch).toBe(held!.epoch);
    expect(settled.partitions).toEqual(held!.partitions);
    await c2.waitForOutput(/resuming tenant from its persisted snapshot/, 'resume logged', 5000);

    await load.stop();
    await producer.flush();
    await waitFor(() => consumer.checker.unique >= load.sent, 'all records consumed', 30_000);
    const report = consumer.checker.report();
    expect(load.failed).toBe(0);
    expect(report).toMatchObject({ violations: 0, gaps: 0 });
    expect(consumer.checker.unique).toBe(load.sent);
    expect(await c2.kill('SIGTERM')).toBe(0);
  });
});
