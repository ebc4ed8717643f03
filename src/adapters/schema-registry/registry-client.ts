import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';

/** Where the schema registry is and how to log in (HTTP basic auth, as Confluent's and Apicurio's). */
export interface SchemaRegistryConnection {
  /** the Confluent-compatible API's base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7 for Apicurio */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

/**
 * The connection from the environment, like the broker's (KAFKA_BROKERS, KAFKA_SASL_*):
 * SCHEMA_REGISTRY_URL, and SCHEMA_REGISTRY_USERNAME with SCHEMA_REGISTRY_PASSWORD for basic auth.
 * Secrets stay out of flags. Undefined when SCHEMA_REGISTRY_URL is not set.
 */
export function registryConnectionFromEnv(env: NodeJS.ProcessEnv): SchemaRegistryConnection | undefined {
  const url = env['SCHEMA_REGISTRY_URL'];
  if (url === undefined || url === '') return undefined;
  if (!/^https?:\/\//.test(url))
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      `SCHEMA_REGISTRY_URL must be an http(s) URL, got "${url}" (Apicurio: http://host:port/apis/ccompat/v7)`,
    );
  const username = env['SCHEMA_REGISTRY_USERNAME'];
  const password = env['SCHEMA_REGISTRY_PASSWORD'];
  if ((username === undefined) !== (password === undefined))
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      'SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together (basic auth needs both)',
    );
  return username !== undefined && password !== undefined ? { url, username, password } : { url };
}

/**
 * The library's client with its own HTTP retries off: ours (backoff.ts) retry every call, POSTs
 * included, within a budget the caller sets. (Its retry option also writes into a module-wide
 * default shared by every client, so one setting for all is the only safe one.)
 */
export const createSchemaRegistry = (c: SchemaRegistryConnection): SchemaRegistry =>
  new SchemaRegistry({
    host: c.url,
    clientId: 'kafka-tenant-balancer',
    retry: { retries: 0 },
    ...(c.username !== undefined && c.password !== undefined
      ? { auth: { username: c.username, password: c.password } }
      : {}),
  });
