import { Command } from 'commander';
import { RoutingReader } from '../adapters/kafka/routing-reader.js';
import { effectiveRoutes } from '../app/effective-routes.js';
import type { RoutingTable } from '../domain/routing-table.js';
import {
  connect,
  internalTopics,
  reportingUnreachable,
  withConnection,
  type ConnectionFlags,
} from './common.js';

interface RoutesFlags extends ConnectionFlags {
  topic?: string;
  tenant?: string[];
  json?: boolean;
}

export function routesCommand(): Command {
  return withConnection(
    new Command('routes')
      .description(
        'print the effective route of tenants: their record, or their hash over the shared pool when they have none',
      )
      .option('--topic <name>', 'only this managed topic')
      .option('--tenant <id...>', 'these tenants (also ones without a route record)')
      .option('--json', 'print JSON'),
  ).action(async (f: RoutesFlags) => {
    const { kafka, logger, brokers } = connect(f, 'tenant-balancer-routes');
    const routingTopic = internalTopics(f).routingTopic;
    const reader = new RoutingReader(kafka, { routingTopic, logger, freshnessCheckMs: 200 });
    await reportingUnreachable(brokers, () => reader.start(15_000));
    try {
      const rows = effectiveRoutes(reader.table, {
        ...(f.topic !== undefined ? { topic: f.topic } : {}),
        ...(f.tenant !== undefined ? { tenants: f.tenant } : {}),
      });
      if (f.json === true) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) console.log(nothingToShow(reader.table, routingTopic, f.topic));
      for (const r of rows) {
        console.log(
          `${r.topic}\t${r.tenant}\t${r.state}\tpartitions=${r.partitions.join(',')}\tepoch=${r.epoch}\t${r.source}${r.reason ? `\treason=${r.reason}` : ''}`,
        );
      }
    } finally {
      await reader.stop();
    }
  });
}

/** Why `routes` prints no row: no managed topic at all, or managed topics whose tenants all hash. */
export function nothingToShow(table: RoutingTable, routingTopic: string, topic?: string): string {
  const topics = topic !== undefined ? [topic] : table.topics();
  if (topics.length === 0)
    return `no managed topics in the routing topic ${routingTopic}: create one with \`tenant-balancer topics create\` (or pass the --routing-topic your controller uses)`;
  const pools = topics.map((t) => {
    const shared = table.pools(t)?.shared ?? 1;
    return `${t}: shared partitions 0..${shared - 1}`;
  });
  return `no tenant has a route record (${pools.join('; ')}): every tenant hashes over its topic's shared pool; pass --tenant <id> to see where one goes`;
}
