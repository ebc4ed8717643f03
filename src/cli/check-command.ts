import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { CheckingConsumer } from '../demo/checking-consumer.js';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';
import { registryConnectionFromEnv, schemaDeserializer } from '../adapters/schema-registry/index.js';
import {
  connect,
  positiveInt,
  reportingUnreachable,
  withConnection,
  type ConnectionFlags,
} from './common.js';

interface CheckFlags extends ConnectionFlags {
  topic: string;
  group?: string;
  idleMs: number;
  schemaRegistry?: string | true;
}

/**
 * `check` reads a topic after the fact, every partition at once: no drain gates it, so a migrated
 * tenant's old and new partitions arrive interleaved. It therefore judges the log as written
 * (LogOrderChecker, src/domain/ordering-checker.ts), not the order records happen to arrive in:
 * per stream (tenant, or tenant + shard-key), tenant-seq must increase within each partition, and
 * must increase with route-epoch (every record of a newer route has a higher seq than every record
 * of an older one), which is the order a consumer the drain waits for processes them in. Records
 * of one epoch on different partitions (sharded without a key) are not ordered against each other.
 * Gaps (a seq never seen below the stream's highest) are loss. Before this, check used the
 * arrival order and reported thousands of violations after clean migrations.
 */
export function checkCommand(): Command {
  return withConnection(
    new Command('check')
      .description(
        'read a topic from the beginning and verify per-tenant order from the tenant-seq, shard-key and route-epoch headers: seq increases within each partition, and with the route epoch across a migration (the order a consumer gated by the drain sees); exits 1 on a violation or a gap',
      )
      .requiredOption('--topic <name>', 'topic to check')
      .option('--group <id>', 'consumer group to use (default: a fresh one)')
      .option(
        '--idle-ms <ms>',
        'stop after no new record for this long (it stops anyway once it has read up to the end offsets it found at start)',
        positiveInt('--idle-ms', 100),
        3000,
      )
      .option(
        '--schema-registry [url]',
        'also decode every value by the schema id it carries (Confluent wire format: Avro, JSON Schema, Protobuf), from this registry (default SCHEMA_REGISTRY_URL; basic auth from SCHEMA_REGISTRY_USERNAME/PASSWORD); exits 1 when a value does not decode',
      ),
  ).action(async (f: CheckFlags) => {
    const { kafka, brokers } = connect(f, 'tenant-balancer-check');
    const decodeValue = f.schemaRegistry === undefined ? undefined : checkDeserializer(f.schemaRegistry);
    // Where the log ends now: check reads up to there (records written meanwhile may be read too).
    const ends = await reportingUnreachable(brokers, async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        if (!(await admin.listTopics()).includes(f.topic))
          throw new TenantBalancerError(
            ErrorCode.TopicMissing,
            `topic "${f.topic}" does not exist on ${brokers.join(',')}; check --topic and --brokers`,
          );
        return new Map((await admin.fetchTopicOffsets(f.topic)).map((o) => [o.partition, Number(o.high)]));
      } finally {
        await admin.disconnect();
      }
    });
    const c = new CheckingConsumer(kafka, {
      topic: f.topic,
      groupId: f.group ?? `ktb-check-${randomUUID()}`,
      costMicros: 0,
      concurrency: Math.max(1, ends.size),
      keepLatency: false,
      order: 'log',
      ...(decodeValue !== undefined ? { decodeValue } : {}),
    });
    const readAll = () => [...ends].every(([p, end]) => (c.positions.get(p) ?? 0) >= end);
    const empty = readAll();
    if (!empty) await reportingUnreachable(brokers, () => c.start());
    try {
      let last = -1;
      let idleSince = Date.now();
      while (!readAll() && Date.now() - idleSince < f.idleMs) {
        await new Promise((r) => setTimeout(r, 100));
        if (c.consumed !== last) {
          last = c.consumed;
          idleSince = Date.now();
        }
      }
    } finally {
      if (!empty) await c.stop();
    }
    const r = c.logChecker!.report();
    const values =
      decodeValue === undefined
        ? {}
        : {
            values: {
              decoded: c.decoded,
              decodeFailures: c.decodeFailures,
              firstDecodeError: c.firstDecodeError,
            },
          };
    console.log(JSON.stringify({ ...r, ...values }, null, 2));
    if (r.violations > 0 || r.gaps > 0 || c.decodeFailures > 0) process.exitCode = 1;
  });
}

/** --schema-registry [url]: the URL given, else the environment's registry (with its credentials). */
function checkDeserializer(flag: string | true): (value: Buffer) => Promise<unknown> {
  const env = registryConnectionFromEnv(
    flag === true ? process.env : { ...process.env, SCHEMA_REGISTRY_URL: flag },
  );
  if (env === undefined)
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      '--schema-registry needs a URL: give one (--schema-registry http://host:8081/apis/ccompat/v7) or set SCHEMA_REGISTRY_URL',
    );
  return schemaDeserializer({ registry: env });
}
