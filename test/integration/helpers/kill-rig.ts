import { afterAll, beforeAll, expect } from 'vitest';
import { uniqueName, waitFor } from './kafka.js';
import type { CliProcess } from './processes.js';
import { createTopology, type Topology } from './topology.js';
import { controllerLauncher, startWorkload, type Workload } from './workload.js';

export interface KillRig {
  /** the topology and the running workload; valid inside the tests (after beforeAll) */
  readonly t: Topology;
  readonly w: Workload;
  /** starts a controller CLI process (env: e.g. KTB_FAULT_HOLD); afterAll SIGKILLs whatever is left */
  start(env?: Record<string, string>): Promise<{ p: CliProcess; port: number }>;
}

/**
 * The setup of the tests that kill a controller mid-drain (faults/controller-kill, faults/ha): a topic
 * with 2 shared and 2 dedicated partitions, `vip` plus the other tenants at 100 rec/s each, two checking
 * consumer members at 200 µs a record, a 3 s route lease, and controller CLI processes on free ports.
 * Registers beforeAll/afterAll in the calling describe.
 */
export function killRig(
  name: string,
  o: { token: string; others: readonly string[]; controllerArgs?: string[] },
): KillRig {
  let t: Topology | undefined;
  let w: Workload | undefined;
  const procs: CliProcess[] = [];
  const groupId = uniqueName(`${name}-consumers`);

  beforeAll(async () => {
    t = await createTopology(name, 2, 2);
    const tenants = Object.fromEntries(['vip', ...o.others].map((tenant) => [tenant, { rate: 100 }]));
    w = await startWorkload(t, { groupId, tenants, members: 2, costMicros: 200, routeLeaseMs: 3000 });
  });
  afterAll(async () => {
    await w?.stop();
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await t?.close();
  });

  return {
    get t() {
      return t!;
    },
    get w() {
      return w!;
    },
    start: (env = {}) =>
      controllerLauncher(
        t!,
        { groupId, token: o.token, ...(o.controllerArgs ? { extra: o.controllerArgs } : {}) },
        procs,
      )(env),
  };
}

/** Stops the load, waits until the consumers saw every record sent, and checks none was lost (a gap) or out of order. */
export async function expectAllConsumedInOrder(w: Workload): Promise<void> {
  await w.load.stop();
  await w.producer.flush();
  await waitFor(() => w.consumer.checker.unique >= w.load.sent, 'all records consumed', 30_000);
  expect(w.consumer.checker.report()).toMatchObject({ violations: 0, gaps: 0 });
  expect(w.consumer.checker.unique).toBe(w.load.sent);
}
