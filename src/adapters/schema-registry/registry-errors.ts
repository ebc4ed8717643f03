import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import { AttemptTimedOut } from './backoff.js';

/** The HTTP status the library's ResponseError carries (mappersmith reports a failed connect as 400). */
const statusOf = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null && 'status' in e && typeof e.status === 'number' ? e.status : undefined;

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const networkFailure =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|socket hang up|network|timeout/i;

/** A registry that is down, unreachable, hung or overloaded: worth another attempt. */
export const isRegistryUnavailable = (e: unknown): boolean => {
  if (e instanceof AttemptTimedOut) return true;
  const status = statusOf(e);
  if (status === undefined || status === 0) return networkFailure.test(messageOf(e));
  return status >= 500 || status === 429 || (status === 400 && networkFailure.test(messageOf(e)));
};

/**
 * A registry failure as a TenantBalancerError whose code says what went wrong and whose message says
 * what to do; `what` names the call ("registering the schema of subject \"orders-value\"").
 */
export function registryError(e: unknown, what: string, url: string): TenantBalancerError {
  if (e instanceof TenantBalancerError) return e;
  const msg = messageOf(e);
  const status = statusOf(e);
  const opts = { cause: e };
  if (isRegistryUnavailable(e))
    return new TenantBalancerError(
      ErrorCode.SchemaRegistryUnavailable,
      `${what}: the schema registry at ${url} did not answer after retries with back-off (${msg}); start it or fix SCHEMA_REGISTRY_URL, then send again (records already accepted were not affected)`,
      opts,
    );
  if (status === 409 || /incompatible/i.test(msg))
    return new TenantBalancerError(
      ErrorCode.SchemaIncompatible,
      `${what}: the registry refused the schema as incompatible with the subject's compatibility rule (${msg}); make the change compatible (e.g. give a new field a default) or register it under a new subject`,
      opts,
    );
  if (e instanceof Error && e.name === 'ConfluentSchemaRegistryCompatibilityError')
    return new TenantBalancerError(
      ErrorCode.SchemaRejected,
      `${what}: ${msg}; set the serializer's compatibility option to the subject's level, or change the subject's level in the registry`,
      opts,
    );
  if (status === 404)
    return new TenantBalancerError(
      ErrorCode.SchemaNotFound,
      `${what}: not in the registry at ${url} (${msg}); register the schema first (autoRegister), or check the subject name strategy and the schema id`,
      opts,
    );
  if (status === 401 || status === 403)
    return new TenantBalancerError(
      ErrorCode.SchemaRejected,
      `${what}: the registry at ${url} refused our credentials (HTTP ${status}); set SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD`,
      opts,
    );
  return new TenantBalancerError(
    ErrorCode.SchemaRejected,
    `${what}: the registry or the schema library refused it (${status !== undefined ? `HTTP ${status}: ` : ''}${msg}); check the schema parses in its format`,
    opts,
  );
}
