import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';
import { freePort } from '../../support/free-port.js';

const java17 = '/usr/lib/jvm/java-17-openjdk-amd64';

describe('tenant-balancer registry (the built CLI)', () => {
  it.runIf(existsSync(java17))(
    'start refuses a Java older than 21 with KTB_REGISTRY_JAVA_MISSING and says what to do',
    async () => {
      const port = await freePort();
      const cli = runCli(['registry', 'start', '--port', String(port)], { KTB_REGISTRY_JAVA_HOME: java17 });
      const code = await cli.exited;
      const out = cli.output.join('\n');
      expect(out).toContain('KTB_REGISTRY_JAVA_MISSING');
      expect(out).toContain('Java 17');
      expect(code).not.toBe(0);
    },
    30_000,
  );

  it('status exits 3 when no registry answers on the port', async () => {
    const port = await freePort();
    const cli = runCli(['registry', 'status', '--port', String(port)]);
    expect(await cli.exited).toBe(3);
    expect(cli.output.join('\n')).toContain(`not running: http://127.0.0.1:${port}/apis/ccompat/v7`);
  }, 30_000);
});
