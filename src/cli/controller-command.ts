import { Command, Option } from 'commander';
import { brokerUnreachable } from '../adapters/kafka/client.js';
import { createLogger } from '../adapters/logger.js';
import { startControllerService } from '../compose/controller-service.js';
import { positiveInt } from './common.js';
import { loadControllerConfig, type ControllerFlags } from './load-controller-config.js';
import { startInspector } from '../adapters/inspector.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function controllerCommand(): Command {
  return new Command('controller')
    .description(
      'run the long-lived controller: watches throughput, isolates/shards/releases tenants through the draining protocol',
    )
    .option(
      '--config <file>',
      'JSON config file (flags and env override it); thresholds, mode and tenants reload from it on SIGHUP or POST /config/reload',
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'act: move tenants; observe: shadow mode, decide and report only, move no one (env KTB_MODE; default act). A flag wins over the file, also on reload',
      ).choices(['act', 'observe']),
    )
    .addOption(
      new Option(
        '--gating <mode>',
        'how moves keep consumer groups in order: auto (groups of ordered consumers are not waited for, others are), producer (stop-and-wait for every group), consumer (wait for none) (env KTB_GATING; default auto; per topic: topicGating in --config)',
      ).choices(['auto', 'producer', 'consumer']),
    )
    .option('--brokers <list>', 'bootstrap servers (env KAFKA_BROKERS)')
    .option('--topic <name>', 'managed topic, repeatable (env KTB_TOPICS, comma-separated)', collect)
    .option(
      '--group <id>',
      'consumer group a drain waits for, repeatable (env KTB_GROUPS); default: auto-discover',
      collect,
    )
    .option(
      '--http-port <port>',
      'HTTP port for /healthz /readyz /tenants /metrics (env KTB_HTTP_PORT)',
      positiveInt('--http-port'),
    )
    .option('--http-host <host>', 'HTTP bind address (env KTB_HTTP_HOST), default 127.0.0.1')
    .option(
      '--http-advertised-url <url>',
      "where other hosts reach this dashboard and API; a standby shows the leader's (env KTB_HTTP_ADVERTISED_URL; default http://<host>:<port>, a wildcard host replaced by the host name)",
    )
    .option('--tick-ms <ms>', 'offset poll interval and window step', positiveInt('--tick-ms', 50))
    .option('--window-ms <ms>', 'sliding window length', positiveInt('--window-ms', 50))
    .option('--auth-token <token>', 'bearer token required by pin/unpin/move (env KTB_AUTH_TOKEN)')
    .option('--routing-topic <name>', 'routing topic (env KTB_ROUTING_TOPIC)')
    .option('--acks-topic <name>', 'drain acks topic (env KTB_ACKS_TOPIC)')
    .option('--traffic-topic <name>', 'traffic reports topic (env KTB_TRAFFIC_TOPIC)')
    .option('--inspect', 'stream actor events to the Stately inspector')
    .option(
      '--ha',
      'high availability: run several instances, one leads (Kafka group membership), the others stand by warm',
    )
    .action(async (f: ControllerFlags) => {
      const config = loadControllerConfig(f);
      const logger = createLogger('tenant-balancer-controller');
      const inspector = config.inspect ? await startInspector(logger) : undefined;
      if (inspector) console.error(`Stately inspector: open ${inspector.url}`);
      const svc = await startControllerService(config, {
        logger,
        reloadConfig: () => loadControllerConfig(f),
        ...(inspector ? { inspect: inspector.inspect } : {}),
      }).catch(async (e: unknown) => {
        await inspector?.stop();
        // one line with the code and what to do, not kafkajs's error and stack trace
        throw brokerUnreachable(e, config.brokers) ?? e;
      });
      console.error(`controller ready: ${svc.url} (topics ${config.topics.join(', ')}, mode ${config.mode})`);
      // Reload thresholds, mode and tenant overrides from the config file; a refusal is logged
      // (with its code) by the service, and the config in force stays.
      const onHangup = () => {
        try {
          svc.reload();
        } catch {
          // logged by svc.reload
        }
      };
      process.on('SIGHUP', onHangup);
      await new Promise<void>((resolve) => {
        const shutdown = (sig: string) => {
          logger.info({ signal: sig }, 'stopping: no new decisions; in-progress drains stay persisted');
          resolve();
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
      // Stopping is bounded whatever Kafka does (svc.stop gives each step a share of a few seconds);
      // kafkajs keeps reconnect timers alive while the broker is down, so leave explicitly.
      setTimeout(() => process.exit(1), 10_000).unref();
      process.off('SIGHUP', onHangup);
      await svc.stop();
      await inspector?.stop();
      process.exit(0);
    });
}
