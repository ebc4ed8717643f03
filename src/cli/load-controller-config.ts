import { readFileSync } from 'node:fs';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';
import { parseControllerConfig, type ControllerConfig } from '../app/controller-config.js';
import { securityFromEnv } from '../app/connection-security.js';

export interface ControllerFlags {
  config?: string;
  brokers?: string;
  topic?: string[];
  group?: string[];
  httpPort?: number;
  httpHost?: string;
  httpAdvertisedUrl?: string;
  tickMs?: number;
  windowMs?: number;
  authToken?: string;
  inspect?: boolean;
  ha?: boolean;
  routingTopic?: string;
  acksTopic?: string;
  trafficTopic?: string;
  mode?: 'act' | 'observe';
  gating?: 'auto' | 'producer' | 'consumer';
}

const list = (v: string | undefined): string[] | undefined =>
  v === undefined || v.trim() === ''
    ? undefined
    : v
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');

const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n))
    throw new TenantBalancerError(ErrorCode.ConfigInvalid, `${name}="${v}" is not a number`);
  return n;
};

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * Config precedence: --config FILE (JSON) < environment < flags. A reload (SIGHUP, POST
 * /config/reload) calls this again: the file is re-read, and a flag still wins over it.
 */
export function loadControllerConfig(
  f: ControllerFlags,
  env: NodeJS.ProcessEnv = process.env,
): ControllerConfig {
  let file: Record<string, unknown> = {};
  if (f.config !== undefined) {
    try {
      file = JSON.parse(readFileSync(f.config, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new TenantBalancerError(
        ErrorCode.ConfigInvalid,
        `cannot read --config ${f.config}: ${(e as Error).message}; expected a JSON object`,
      );
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) {
      throw new TenantBalancerError(ErrorCode.ConfigInvalid, `--config ${f.config} must hold a JSON object`);
    }
  }
  const fileHttp = (file['http'] ?? {}) as Record<string, unknown>;
  const envPart = defined({
    brokers: list(env['KAFKA_BROKERS']),
    topics: list(env['KTB_TOPICS']),
    groups: list(env['KTB_GROUPS']),
    authToken: env['KTB_AUTH_TOKEN'] || undefined,
    routingTopic: env['KTB_ROUTING_TOPIC'] || undefined,
    acksTopic: env['KTB_ACKS_TOPIC'] || undefined,
    trafficTopic: env['KTB_TRAFFIC_TOPIC'] || undefined,
    mode: env['KTB_MODE'] || undefined,
    gating: env['KTB_GATING'] || undefined,
    ...securityFromEnv(env),
  });
  const flagPart = defined({
    brokers: list(f.brokers),
    topics: f.topic,
    groups: f.group,
    tickMs: f.tickMs,
    windowMs: f.windowMs,
    authToken: f.authToken,
    inspect: f.inspect,
    ha: f.ha,
    routingTopic: f.routingTopic,
    acksTopic: f.acksTopic,
    trafficTopic: f.trafficTopic,
    mode: f.mode,
    gating: f.gating,
  });
  const http = defined({
    ...fileHttp,
    port: f.httpPort ?? num('KTB_HTTP_PORT', env['KTB_HTTP_PORT']) ?? fileHttp['port'],
    host: f.httpHost ?? (env['KTB_HTTP_HOST'] || undefined) ?? fileHttp['host'],
    advertisedUrl:
      f.httpAdvertisedUrl ?? (env['KTB_HTTP_ADVERTISED_URL'] || undefined) ?? fileHttp['advertisedUrl'],
  });
  return parseControllerConfig({ brokers: ['127.0.0.1:9092'], ...file, ...envPart, ...flagPart, http });
}
