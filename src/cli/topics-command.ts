import { Command } from 'commander';
import { createManagedTopic } from '../adapters/kafka/managed-topics.js';
import type { PoolLayout } from '../domain/route-record.js';
import {
  connect,
  internalTopics,
  positiveInt,
  reportingUnreachable,
  withConnection,
  type ConnectionFlags,
} from './common.js';

interface CreateFlags extends ConnectionFlags {
  topic: string;
  shared: number;
  dedicated: number;
  replicationFactor?: number;
}

export function topicsCommand(): Command {
  const cmd = new Command('topics').description('manage tenant-balanced topics');
  withConnection(
    cmd
      .command('create')
      .description(
        'create a managed topic of shared + dedicated partitions and record its pools (also creates the internal topics)',
      )
      .requiredOption('--topic <name>', 'topic to create')
      .requiredOption(
        '--shared <n>',
        'partitions in the shared pool (hashing of unknown tenants; never changes)',
        positiveInt('--shared', 1),
      )
      .requiredOption(
        '--dedicated <n>',
        'partitions in the dedicated pool (one tenant each; grows on demand; 0: none until the controller adds some)',
        positiveInt('--dedicated'),
      )
      .option(
        '--replication-factor <n>',
        'replication factor (default: broker default)',
        positiveInt('--replication-factor', 1),
      ),
  ).action(async (f: CreateFlags) => {
    const { kafka, brokers } = connect(f, 'tenant-balancer-topics');
    const admin = kafka.admin();
    await reportingUnreachable(brokers, () => admin.connect());
    try {
      const layout = await reportingUnreachable(brokers, () =>
        createManagedTopic(kafka, admin, internalTopics(f), {
          topic: f.topic,
          shared: f.shared,
          dedicated: f.dedicated,
          ...(f.replicationFactor !== undefined ? { replicationFactor: f.replicationFactor } : {}),
        }),
      );
      console.log(describeLayout(layout));
    } finally {
      await admin.disconnect();
    }
  });
  return cmd;
}

/** What `topics create` made, in words: with --dedicated 0 there is no dedicated partition yet. */
export const describeLayout = (l: PoolLayout): string => {
  const range = (from: number, to: number) =>
    from === to ? `partition ${from}` : `partitions ${from}..${to}`;
  const dedicated =
    l.total > l.shared
      ? `dedicated pool ${range(l.shared, l.total - 1)}`
      : `no dedicated partitions yet (the controller adds them, from partition ${l.shared} on and up to its maxPartitions, when it isolates a tenant)`;
  return `created ${l.topic}: shared pool ${range(0, l.shared - 1)}, ${dedicated}`;
};
