import { describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../../src/demo/run-demo.js';
import { brokers } from '../helpers/kafka.js';
import { runCli } from '../helpers/processes.js';
import { sharedRegistry } from '../helpers/registry.js';

describe('tenant-balancer demo --avro (the built CLI) on the real broker and registry', () => {
  it('writes every record as Avro through the registry, and the consumer decodes each by schema id, in order', async () => {
    const cli = runCli(
      ['demo', '--avro', '--duration', '20', '--tenants', '8', '--whale-rate', '800', '--no-ui', '--json'],
      { LOG_LEVEL: 'error', KAFKA_BROKERS: brokers().join(','), SCHEMA_REGISTRY_URL: sharedRegistry().url },
    );
    const deadline = setTimeout(() => void cli.kill('SIGKILL'), 110_000);
    const code = await cli.exited;
    clearTimeout(deadline);
    const out = cli.output.join('\n');
    expect(out).toContain(`schema registry: SCHEMA_REGISTRY_URL ${sharedRegistry().url}`);
    const summary = JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)) as DemoSummary;
    expect(summary.produced).toBeGreaterThan(1000);
    expect(summary.avro).toMatchObject({ registry: sharedRegistry().url, decodeFailures: 0 });
    expect(summary.avro?.decoded).toBe(summary.consumed);
    expect(summary.checker.violations).toBe(0);
    expect(summary.lost).toBe(0);
    expect(code).toBe(0);
  }, 120_000);
});
