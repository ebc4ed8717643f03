import { Command } from 'commander';
import { createManagedTopic } from '../adapters/kafka/managed-topics.js';
import { connect, internalTopics, positiveInt, withConnection, type ConnectionFlags } from './common.js';

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
        'partitions in the dedicated pool (one tenant each; grows on demand)',
        positiveInt('--dedicated'),
      )
      .option(
        '--replication-factor <n>',
        'replication factor (default: broker default)',
        positiveInt('--replication-factor', 1),
      ),
  ).action(async (f: CreateFlags) => {
    const { kafka } = connect(f, 'tenant-balancer-topics');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const layout = await createManagedTopic(kafka, admin, internalTopics(f), {
        topic: f.topic,
        shared: f.shared,
        dedicated: f.dedicated,
        ...(f.replicationFactor !== undefined ? { replicationFactor: f.replicationFactor } : {}),
      });
      console.log(
        `created ${layout.topic}: shared pool 0..${layout.shared - 1}, dedicated pool ${layout.shared}..${layout.total - 1}`,
      );
    } finally {
      await admin.disconnect();
    }
  });
  return cmd;
}
