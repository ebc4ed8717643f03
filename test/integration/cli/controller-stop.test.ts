import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers/kafka.js';
import type { CliProcess } from '../helpers/processes.js';
import { createTopology, type Topology } from '../helpers/topology.js';
import { controllerLauncher } from '../helpers/workload.js';

/** Ctrl-C (SIGINT) and SIGTERM stop the controller CLI cleanly and fast, with the broker up. */
describe('stopping the controller CLI', () => {
  let t: Topology;
  const procs: CliProcess[] = [];

  beforeAll(async () => {
    t = await createTopology('stop', 2, 1);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await t?.close();
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} ends it with exit code 0 within a few seconds`, async () => {
      const launch = controllerLauncher(
        t,
        { groupId: uniqueName('stop'), token: 'stop-test-token-0123456' },
        procs,
      );
      const { p, port } = await launch();
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const stopAt = Date.now();
      p.proc.kill(signal);
      const code = await Promise.race([
        p.exited,
        new Promise((r) => setTimeout(() => r('still running'), 8000)),
      ]);
      expect(code, p.output.slice(-5).join('\n')).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(8000);
      expect(p.output.some((l) => l.includes('stopping: no new decisions'))).toBe(true);
    });
  }
});
