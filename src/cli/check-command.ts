import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { CheckingConsumer } from '../demo/checking-consumer.js';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';
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
      ),
  ).action(async (f: CheckFlags) => {
    const { kafka, brokers } = connect(f, 'tenant-balancer-check');
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
    console.log(JSON.stringify(r, null, 2));
    if (r.violations > 0 || r.gaps > 0) process.exitCode = 1;
  });
}
