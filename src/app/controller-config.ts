import { z } from 'zod';
import { checkAdvertisedUrl } from '../domain/advertised-url.js';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';
import { thresholdsSchema } from '../policy/thresholds.js';
import { describeIssues } from './config-issues.js';
import { saslConfigSchema, tlsConfigSchema } from './connection-security.js';
import { ownKeysRecord } from './own-keys-record.js';
import { checkTenantOverrides, tenantOverridesSchema } from './tenant-overrides.js';

const topic = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name (1-249 chars of a-z A-Z 0-9 . _ -)');

const gatingMode = z.enum(['producer', 'consumer', 'auto']);

/** host:port with a port in 1..65535 (`k:00000` or `k:99999` is no broker). */
const brokerAddress = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, 'host:port')
  .refine((a) => {
    const port = Number(a.slice(a.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }, 'host:port with a port in 1..65535');

/** An http(s) URL without credentials, as checked when read back from Kafka (src/domain/advertised-url.ts). */
const advertisedUrl = z.string().transform((raw, ctx) => {
  const r = checkAdvertisedUrl(raw);
  if (r.ok) return r.url;
  ctx.addIssue({ code: 'custom', message: `advertisedUrl ${r.reason}` });
  return z.NEVER;
});

/**
 * The controller's whole configuration: file < env < flags, validated at start and again on each
 * reload (SIGHUP, POST /config/reload), which may change only thresholds, mode and tenants
 * (src/app/config-reload.ts).
 */
export const controllerConfigSchema = z
  .object({
    brokers: z.array(brokerAddress).min(1),
    topics: z.array(topic).min(1, 'at least one managed topic (--topic T)'),
    routingTopic: topic.default('ktb.routes'),
    acksTopic: topic.default('ktb.acks'),
    trafficTopic: topic.default('ktb.traffic'),
    /** consumer groups a drain waits for; 'auto' = groups that commit on a managed topic */
    groups: z.union([z.literal('auto'), z.array(z.string().min(1)).min(1)]).default('auto'),
    /**
     * How a move keeps each consumer group in order: `producer` (stop-and-wait: producers hold the
     * tenant until every watched group passed the fence), `consumer` (no group is waited for: each
     * must use the ordered consumer), `auto` (groups whose every member announced the ordered
     * consumer are gated, the others get stop-and-wait). Per topic in `topicGating`.
     */
    gating: gatingMode.default('auto'),
    topicGating: ownKeysRecord(topic, gatingMode).default({}),
    tickMs: z.number().int().min(50).max(60_000).default(1000),
    windowMs: z.number().int().min(50).max(3_600_000).default(5000),
    /** must match the producers' routeLeaseMs */
    routeLeaseMs: z.number().int().min(500).default(30_000),
    maxPartitions: z.number().int().min(1).max(100_000).default(256),
    /** Kafka cannot shrink a topic: one decision adds at most this many partitions (a forged or noisy rate cannot grow it far) */
    maxGrowthPerDecision: z.number().int().min(1).max(1000).default(4),
    /** a tenant's reported rate is capped at its partitions' offset growth times this (reports are untrusted) */
    trafficClaimTolerance: z.number().min(1).max(100).default(1.5),
    /** windows a shared, idle tenant's actor survives before it is retired */
    retireAfterWindows: z.number().int().min(1).default(30),
    thresholds: thresholdsSchema.default(() => thresholdsSchema.parse({})),
    /** act: move tenants; observe (shadow mode): decide and report, move no one (reloadable) */
    mode: z.enum(['act', 'observe']).default('act'),
    /** per-tenant overrides keyed "<topic>/<tenant>" (reloadable; see tenant-overrides.ts) */
    tenants: tenantOverridesSchema.default({}),
    http: z
      .object({
        port: z.number().int().min(0).max(65_535).default(8080),
        host: z.string().min(1).default('127.0.0.1'),
        /**
         * where other hosts reach this controller's dashboard and API (standbys show it as the
         * leader's address); default http://<host>:<port>, a wildcard host replaced by the host name
         */
        advertisedUrl: advertisedUrl.optional(),
      })
      .strict()
      .default({ port: 8080, host: '127.0.0.1' }),
    /** bearer token for pin/unpin/move; without it those endpoints refuse */
    authToken: z.string().min(16, 'authToken must be at least 16 characters').optional(),
    inspect: z.boolean().default(false),
    /** run as one of several instances; only the elected leader acts (Kafka group membership) */
    ha: z.boolean().default(false),
    /** how fast a dead leader is replaced (the election group's session timeout) */
    leaderSessionMs: z.number().int().min(1000).max(300_000).default(6000),
    sasl: saslConfigSchema.optional(),
    /** true (system CAs) or { caFile, certFile, keyFile, rejectUnauthorized, servername } */
    ssl: tlsConfigSchema.optional(),
  })
  .strict()
  .refine((c) => c.windowMs >= c.tickMs, { message: 'windowMs must be >= tickMs', path: ['windowMs'] })
  .superRefine((c, ctx) =>
    checkTenantOverrides(c, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  );

export type ControllerConfig = z.output<typeof controllerConfigSchema>;

export function parseControllerConfig(input: unknown): ControllerConfig {
  const r = controllerConfigSchema.safeParse(input);
  if (!r.success) {
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      `invalid controller config: ${describeIssues(r.error.issues)}`,
    );
  }
  return r.data;
}
