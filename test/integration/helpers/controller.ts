import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { parseControllerConfig, type ControllerConfig } from '../../../src/app/controller-config.js';
import { TenantLoad } from '../../../src/demo/tenant-load.js';
import { brokers } from './kafka.js';
import type { Topology } from './topology.js';

/** A pino logger whose lines (JSON) the test can read. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino(
    { level },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  return { logger, lines };
}

/** An in-process controller's config for a topology: fast ticks, an ephemeral HTTP port. */
export const testControllerConfig = (t: Topology, over: Record<string, unknown> = {}): ControllerConfig =>
  parseControllerConfig({
    brokers: brokers(),
    topics: [t.topic],
    ...t.names,
    tickMs: 100,
    windowMs: 500,
    routeLeaseMs: 2000,
    http: { port: 0, host: '127.0.0.1' },
    ...over,
  });

/** A connected SmartProducer reporting traffic every 100 ms, and simulated tenants on it. */
export async function startLoad(
  t: Topology,
  routeLeaseMs: number,
): Promise<{ producer: SmartProducer; load: TenantLoad }> {
  const producer = new SmartProducer(t.kafka, {
    ...t.names,
    lingerMs: 5,
    trafficIntervalMs: 100,
    routeLeaseMs,
  });
  await producer.connect();
  return { producer, load: new TenantLoad(producer, t.topic) };
}

/** Stops what a controller test started, in order (load, producer, controller, topology); any may be missing. */
export async function stopScenario(s: {
  load?: { stop(): Promise<void> } | undefined;
  producer?: { disconnect(): Promise<unknown> } | undefined;
  svc?: { stop(): Promise<void> } | undefined;
  t?: { close(): Promise<void> } | undefined;
}): Promise<void> {
  await s.load?.stop();
  await s.producer?.disconnect();
  await s.svc?.stop();
  await s.t?.close();
}
