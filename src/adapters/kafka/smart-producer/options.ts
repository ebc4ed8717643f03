import { z } from 'zod';
import { ErrorCode, TenantBalancerError } from '../../../domain/errors.js';

/**
 * SmartProducer options, named after the Java producer's configs
 * (README: "Producer configuration"). Validated once at construction; every error names the field.
 */
export const smartProducerOptionsSchema = z
  .object({
    /** client.id */
    clientId: z.string().min(1).default('tenant-balancer-producer'),
    /** Identifies this producer in acks and traffic reports; unique per process. */
    producerId: z.string().min(1).max(256).optional(),
    routingTopic: z.string().min(1).default('ktb.routes'),
    acksTopic: z.string().min(1).default('ktb.acks'),
    trafficTopic: z.string().min(1).default('ktb.traffic'),
    /** acks: -1 (all), 0 or 1 */
    acks: z.union([z.literal(-1), z.literal(0), z.literal(1)]).default(-1),
    /** retries (kafkajs retries a failed batch this many times with backoff) */
    retries: z.number().int().min(0).max(1_000_000).default(10),
    /** compression.type: kafkajs ships gzip; others need a registered codec */
    compression: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'),
    /** batch.size in bytes per topic batch */
    batchBytes: z
      .number()
      .int()
      .min(1)
      .max(64 * 1024 * 1024)
      .default(256 * 1024),
    /**
     * When a drain settles, the tenant's held records are admitted at most this many bytes per send
     * cycle (a cycle ends when no batch waits to be sent), so a large released backlog cannot fill
     * one huge request that every other tenant's records wait behind.
     */
    releaseChunkBytes: z
      .number()
      .int()
      .min(1)
      .max(64 * 1024 * 1024)
      .default(32 * 1024),
    /** linger.ms */
    lingerMs: z.number().int().min(0).max(60_000).default(5),
    /** buffer.memory in bytes: accepted-but-unacknowledged records, held records included */
    bufferMemory: z
      .number()
      .int()
      .min(1024)
      .default(64 * 1024 * 1024),
    /** max.block.ms: how long send() may wait for buffer space or a fresh routing view */
    maxBlockMs: z.number().int().min(0).max(600_000).default(60_000),
    /** max.in.flight.requests.per.connection: concurrent batches in flight (1 keeps per-tenant order under retries) */
    maxInFlight: z.number().int().min(1).max(5).default(1),
    /** request.timeout.ms */
    requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** max.request.size in bytes: a larger single record is refused at send() */
    maxRequestSize: z
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(1024 * 1024),
    /** enable.idempotence */
    idempotent: z.boolean().default(true),
    /** The routing view must have reached the routing topic's end within this long, or managed sends block. */
    routeLeaseMs: z.number().int().min(500).max(600_000).default(30_000),
    /** How often the view's freshness is re-checked against the routing topic's end offset. */
    freshnessCheckMs: z.number().int().min(50).max(60_000).optional(),
    /** Traffic report + heartbeat interval. */
    trafficIntervalMs: z.number().int().min(50).max(600_000).default(1000),
    /**
     * f: every tenant without a route that sends at least this fraction of its shared partition's
     * records (from this producer, per interval) is named in the traffic report; the others are
     * summed into the partition's total. Keep it at most half the controller's isolateShare
     * (docs/architecture.md, "Traffic reports"). Smaller: larger reports (up to 2/f tenants per partition).
     */
    heavyHitterFraction: z.number().min(0.001).max(0.5).default(0.02),
    /** Byte budget of one traffic report record; a larger report is split (at most 64 records). */
    maxReportBytes: z
      .number()
      .int()
      .min(1024)
      .max(1_000_000)
      .default(512 * 1024),
    /** Connect timeout for reading the routing table at start. */
    connectTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  })
  .strict()
  .refine((o) => o.idempotent === false || o.acks === -1, {
    message: 'idempotence requires acks=-1 (all); set acks: -1 or idempotent: false',
    path: ['acks'],
  });

export type SmartProducerOptionsInput = z.input<typeof smartProducerOptionsSchema>;
export type SmartProducerOptions = z.output<typeof smartProducerOptionsSchema> & {
  freshnessCheckMs: number;
  producerId: string;
};

export function parseSmartProducerOptions(input: unknown, defaultProducerId: string): SmartProducerOptions {
  const r = smartProducerOptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const msgs = r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      `invalid SmartProducer options: ${msgs.join('; ')}`,
    );
  }
  return {
    ...r.data,
    producerId: r.data.producerId ?? defaultProducerId,
    freshnessCheckMs:
      r.data.freshnessCheckMs ?? Math.max(50, Math.min(1000, Math.floor(r.data.routeLeaseMs / 4))),
  };
}
