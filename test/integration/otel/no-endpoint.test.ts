import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from '../helpers/kafka.js';
import { freePort } from '../../support/free-port.js';
import { runCli, type CliProcess } from '../helpers/processes.js';
import { createTopology, type Topology } from '../helpers/topology.js';
import { controllerArgs, pinOverHttp } from '../helpers/workload.js';

const root = join(import.meta.dirname, '..', '..', '..');
const TOKEN = 'no-endpoint-token-0123456';

/** README: "with no OTLP endpoint nothing is exported and nothing complains". */
describe('the OTel SDK loaded with no OTLP endpoint', () => {
  let t: Topology;
  let p: CliProcess | undefined;

  beforeAll(async () => {
    t = await createTopology('quiet-sdk', 2, 1);
  }, 60_000);
  afterAll(async () => {
    await p?.kill('SIGKILL');
    await t?.close();
  });

  it('runs a migration (spans made) and logs nothing about exporting', async () => {
    const port = await freePort();
    const env = Object.fromEntries(
      Object.keys(process.env)
        .filter((k) => k.startsWith('OTEL_'))
        .map((k) => [k, '']),
    );
    p = runCli(controllerArgs(t, { groupId: uniqueName('quiet-sdk'), port, token: TOKEN }), env, [
      '--import',
      join(root, 'dist', 'src', 'adapters', 'otel', 'register.js'),
    ]);
    await p.waitForOutput(/controller ready/, 'controller ready');
    expect((await pinOverHttp(port, t.topic, 'acme', TOKEN)).status).toBe(202);
    await waitFor(async () => {
      const { tenants } = (await (await fetch(`http://127.0.0.1:${port}/tenants`)).json()) as {
        tenants: { tenant: string; state: string }[];
      };
      return tenants.some((x) => x.tenant === 'acme' && x.state === 'dedicated');
    }, 'acme dedicated');
    expect(await p.kill('SIGTERM')).toBe(0);
    const complaints = p.output.filter((l) => /otlp|export|ECONNREFUSED|4317|4318|opentelemetry/i.test(l));
    expect(complaints).toEqual([]);
  });
});
