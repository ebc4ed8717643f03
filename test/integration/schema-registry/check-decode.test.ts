import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { schemaSerializer } from '../../../src/adapters/schema-registry/index.js';
import { Headers } from '../../../src/domain/record-headers.js';
import { brokers, testKafka, uniqueName } from '../helpers/kafka.js';
import { runCli } from '../helpers/processes.js';
import { avro, eventV1, sharedRegistry } from '../helpers/registry.js';

interface Report {
  records: number;
  violations: number;
  gaps: number;
  values?: { decoded: number; decodeFailures: number; firstDecodeError?: string };
}

async function check(topic: string): Promise<{ code: number | null; report: Report }> {
  const cli = runCli(['check', '--topic', topic, '--brokers', brokers().join(','), '--schema-registry'], {
    LOG_LEVEL: 'warn',
    SCHEMA_REGISTRY_URL: sharedRegistry().url,
  });
  const deadline = setTimeout(() => void cli.kill('SIGKILL'), 45_000);
  const code = await cli.exited;
  clearTimeout(deadline);
  const out = cli.output.join('\n');
  return { code, report: JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)) as Report };
}

describe('tenant-balancer check --schema-registry decodes every value by its schema id', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const topic = uniqueName('check-avro');
  let producer: SmartProducer<unknown>;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    producer = new SmartProducer(
      kafka,
      { lingerMs: 2 },
      { serializer: schemaSerializer({ registry: sharedRegistry(), schema: avro(eventV1) }) },
    );
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin.disconnect();
  });

  it('passes on Avro records in order, and exits 1 once a value is not in the wire format', async () => {
    const record = (tenant: string, seq: number) => ({
      topic,
      tenant,
      key: tenant,
      value: { tenant, seq },
      headers: { [Headers.tenantSeq]: String(seq) },
    });
    await producer.sendMany([1, 2, 3].flatMap((seq) => [record('acme', seq), record('beta', seq)]));
    const clean = await check(topic);
    expect(clean.report).toMatchObject({
      records: 6,
      violations: 0,
      gaps: 0,
      values: { decoded: 6, decodeFailures: 0 },
    });
    expect(clean.code).toBe(0);

    const plain = kafka.producer();
    await plain.connect();
    await plain.send({
      topic,
      messages: [
        {
          key: 'acme',
          value: '{"tenant":"acme","seq":4}',
          headers: { [Headers.tenantId]: 'acme', [Headers.tenantSeq]: '4' },
        },
      ],
    });
    await plain.disconnect();
    const mixed = await check(topic);
    expect(mixed.report.values).toMatchObject({ decoded: 6, decodeFailures: 1 });
    expect(mixed.report.values?.firstDecodeError).toContain('KTB_SCHEMA_DECODE_FAILED');
    expect(mixed.code).toBe(1);
  }, 120_000);
});
