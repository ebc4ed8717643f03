import { Command } from 'commander';
import { RoutingReader } from '../adapters/kafka/routing-reader.js';
import { effectiveRoutes } from '../app/effective-routes.js';
import { connect, internalTopics, withConnection, type ConnectionFlags } from './common.js';

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
    const { kafka, logger } = connect(f, 'tenant-balancer-routes');
    const reader = new RoutingReader(kafka, {
      routingTopic: internalTopics(f).routingTopic,
      logger,
      freshnessCheckMs: 200,
    });
    await reader.start(15_000);
    try {
      const rows = effectiveRoutes(reader.table, {
        ...(f.topic !== undefined ? { topic: f.topic } : {}),
        ...(f.tenant !== undefined ? { tenants: f.tenant } : {}),
      });
      if (f.json === true) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) console.log('no managed topics or routes found');
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
