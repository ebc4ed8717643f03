import { Command } from 'commander';
import { createLogger } from '../adapters/logger.js';
import { formatHolds } from '../demo/hold-summary.js';
import { formatTimeline } from '../demo/moves-by-phase.js';
import { runDemo, type DemoSummary } from '../demo/run-demo.js';
import { positiveInt } from './common.js';
import { startInspector } from '../adapters/inspector.js';

interface DemoFlags {
  duration: number;
  tenants: number;
  whaleRate: number;
  controller: boolean;
  externalController?: boolean;
  inspect?: boolean;
  topic?: string;
  ui: boolean;
  json?: boolean;
  avro?: boolean;
  httpPort?: number;
  gatedConsumers?: boolean;
}

export const formatSummary = (s: DemoSummary): string =>
  [
    '',
    `== demo summary (${s.controller === 'none' ? 'plain hashing, no controller' : 'with the controller'}) ==`,
    `migrations done:      ${s.migrations}`,
    `moves started:        ${s.movesByPhase.map((m) => `${m.phase} ${m.moves} (whale ${m.whaleMoves})`).join(', ')}`,
    `whale's first move:   ${formatTimeline(s.firstMove)} (ms after its spike began)`,
    `ordering violations:  ${s.checker.violations} (0 expected)`,
    `records lost:         ${s.lost} of ${s.produced} produced (0 expected; gaps seen by the checker: ${s.checker.gaps}; send failures: ${s.sendFailures})`,
    ...formatHolds(s.holds),
    'small tenants produce-to-consume latency:',
    ...s.smallTenantLatency.map(
      (p) => `  ${p.phase.padEnd(13)} p50 ${fmt(p.p50)}  p99 ${fmt(p.p99)}  (${p.samples} records)`,
    ),
    ...(s.avro
      ? [
          `values (Avro, ${s.avro.registry}): ${s.avro.decoded} decoded by schema id, ${s.avro.decodeFailures} failed (0 expected)${s.avro.firstDecodeError ? `; first: ${s.avro.firstDecodeError}` : ''}`,
        ]
      : []),
    ...(s.transitions.length ? ['transitions:', ...s.transitions.map((t) => `  ${t}`)] : []),
  ].join('\n');

const fmt = (ms: number) => (Number.isNaN(ms) ? '-' : `${ms.toFixed(0)} ms`);

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'run the product on an embedded local broker: small tenants, a whale that spikes, grows and cools, and the controller protecting the neighbours',
    )
    .option('--duration <s>', 'scenario length in seconds', positiveInt('--duration', 20), 90)
    .option('--tenants <n>', 'number of small tenants', positiveInt('--tenants', 1), 30)
    .option('--whale-rate <n>', "the whale's peak records/s", positiveInt('--whale-rate', 100), 2400)
    .option('--no-controller', 'plain hashing, for comparison')
    .option('--external-controller', 'a controller runs elsewhere (docker-compose): do not start one')
    .option('--inspect', 'stream the tenant actors to the Stately inspector')
    .option('--topic <name>', 'use this managed topic (created when missing) instead of a fresh one')
    .option('--no-ui', 'no live view (for CI/logs)')
    .option('--json', 'print the summary as JSON')
    .option(
      '--avro',
      'write the records as Avro through a schema registry (SCHEMA_REGISTRY_URL, else the local Apicurio on 8081, started or reused; needs Java 21+) and decode them back by schema id',
    )
    .option(
      '--no-gated-consumers',
      'consume with a plain kafkajs group instead of the ordered consumer (every move then waits for it: stop-and-wait)',
    )
    .option(
      '--http-port <port>',
      "the in-process controller's HTTP port (dashboard at /; default: a free one)",
      positiveInt('--http-port'),
    )
    .action(async (f: DemoFlags) => {
      const logger = createLogger('tenant-balancer-demo', process.env['LOG_LEVEL'] || 'error');
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      process.once('SIGTERM', () => abort.abort());
      const inspector = f.inspect ? await startInspector(logger) : undefined;
      if (inspector) console.error(`Stately inspector: open ${inspector.url}`);
      const summary = await runDemo(
        {
          durationSec: f.duration,
          tenants: f.tenants,
          whaleRate: f.whaleRate,
          controller: f.externalController ? 'external' : f.controller ? 'in-process' : 'none',
          ui: f.ui,
          inspect: inspector?.inspect,
          topic: f.topic,
          avro: f.avro === true,
          ...(f.httpPort !== undefined ? { httpPort: f.httpPort } : {}),
          gatedConsumers: f.gatedConsumers !== false,
          logger,
        },
        abort.signal,
      );
      await inspector?.stop();
      console.log(f.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
      if (summary.checker.violations > 0 || summary.lost > 0 || (summary.avro?.decodeFailures ?? 0) > 0)
        process.exitCode = 1;
    });
}
