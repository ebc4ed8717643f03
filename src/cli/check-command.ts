import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { CheckingConsumer } from '../demo/checking-consumer.js';
import { connect, positiveInt, withConnection, type ConnectionFlags } from './common.js';

interface CheckFlags extends ConnectionFlags {
  topic: string;
  group?: string;
  idleMs: number;
}

export function checkCommand(): Command {
  return withConnection(
    new Command('check')
      .description(
        'read a topic from the beginning and verify per-tenant order (tenant-seq, per shard-key) and gaps; exits 1 on a violation or gap',
      )
      .requiredOption('--topic <name>', 'topic to check')
      .option('--group <id>', 'consumer group to use (default: a fresh one)')
      .option(
        '--idle-ms <ms>',
        'stop after no new record for this long',
        positiveInt('--idle-ms', 100),
        3000,
      ),
  ).action(async (f: CheckFlags) => {
    const { kafka } = connect(f, 'tenant-balancer-check');
    const c = new CheckingConsumer(kafka, {
      topic: f.topic,
      groupId: f.group ?? `ktb-check-${randomUUID()}`,
      costMicros: 0,
      concurrency: 4,
    });
    await c.start();
    let last = -1;
    let idleSince = Date.now();
    while (Date.now() - idleSince < f.idleMs) {
      await new Promise((r) => setTimeout(r, 200));
      if (c.consumed !== last) {
        last = c.consumed;
        idleSince = Date.now();
      }
    }
    await c.stop();
    const r = c.checker.report();
    console.log(JSON.stringify(r, null, 2));
    if (r.violations > 0 || r.gaps > 0) process.exitCode = 1;
  });
}
