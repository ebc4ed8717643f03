import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, uniqueName } from '../helpers/kafka.js';
import type { CliProcess } from '../helpers/processes.js';
import { createTopology, type Topology } from '../helpers/topology.js';
import { controllerLauncher, pinOverHttp } from '../helpers/workload.js';

const TOKEN = 'sighup-test-token-0123456';

/** The controller CLI reloads its --config file on SIGHUP: mode and thresholds change, a bad file changes nothing. */
describe('controller CLI: SIGHUP reloads the config file', () => {
  let t: Topology;
  const procs: CliProcess[] = [];
  const file = join(mkdtempSync(join(tmpdir(), 'ktb-sighup-')), 'controller.json');

  beforeAll(async () => {
    t = await createTopology('sighup', 2, 1);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await t?.close();
  });

  it('switches observe -> act on SIGHUP, and keeps act when the reloaded file is invalid', async () => {
    writeFileSync(file, JSON.stringify({ mode: 'observe', thresholds: { isolateRate: 900 } }));
    const launch = controllerLauncher(
      t,
      { groupId: uniqueName('sighup'), token: TOKEN, extra: ['--config', file] },
      procs,
    );
    const { p, port } = await launch();
    const mode = async () =>
      ((await (await fetch(`http://127.0.0.1:${port}/tenants`)).json()) as { mode: string }).mode;
    expect(await mode()).toBe('observe');
    expect((await pinOverHttp(port, t.topic, 'acme', TOKEN)).status).toBe(409);

    writeFileSync(file, JSON.stringify({ mode: 'act', thresholds: { isolateRate: 900 } }));
    p.proc.kill('SIGHUP');
    const reloaded = await p.waitForOutput(/config reloaded/, 'the reload');
    expect(JSON.parse(reloaded)).toMatchObject({ changes: ['mode'], mode: 'act' });
    expect(await mode()).toBe('act');

    writeFileSync(file, JSON.stringify({ mode: 'observe', thresholds: { hotWindows: 0 } }));
    p.proc.kill('SIGHUP');
    const refused = await p.waitForOutput(/config reload refused/, 'the refusal');
    expect(JSON.parse(refused)).toMatchObject({ code: 'KTB_CONFIG_INVALID' });
    expect(refused).toContain('thresholds.hotWindows');
    // still running, still in act mode: the invalid file applied nothing
    expect(p.proc.exitCode).toBeNull();
    expect(await mode()).toBe('act');
    await waitFor(
      async () => (await pinOverHttp(port, t.topic, 'acme', TOKEN)).status === 202,
      'a pin accepted in act mode',
    );
    expect(await p.kill('SIGTERM')).toBe(0);
  }, 60_000);
});
