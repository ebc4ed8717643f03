/**
 * Every error we raise carries a stable code (for alerts and tests) and says what to do next.
 * Codes are part of the public contract: never rename one, add a new one instead.
 */
export const ErrorCode = {
  ConfigInvalid: 'KTB_CONFIG_INVALID',
  JavaMissing: 'KTB_JAVA_MISSING',
  JavaTooOld: 'KTB_JAVA_TOO_OLD',
  MavenMissing: 'KTB_MAVEN_MISSING',
  JarCacheBroken: 'KTB_JAR_CACHE_BROKEN',
  PortInUse: 'KTB_PORT_IN_USE',
  BrokerStartFailed: 'KTB_BROKER_START_FAILED',
  BrokerUnreachable: 'KTB_BROKER_UNREACHABLE',
  TopicMissing: 'KTB_TOPIC_MISSING',
  TopicExists: 'KTB_TOPIC_EXISTS',
  TopicNotManaged: 'KTB_TOPIC_NOT_MANAGED',
  RouteRecordMalformed: 'KTB_ROUTE_RECORD_MALFORMED',
  RouteRecordUnknownVersion: 'KTB_ROUTE_RECORD_UNKNOWN_VERSION',
  RouteRecordOversize: 'KTB_ROUTE_RECORD_OVERSIZE',
  TenantInvalid: 'KTB_TENANT_INVALID',
  BufferFull: 'KTB_BUFFER_FULL',
  RouteLeaseExpired: 'KTB_ROUTE_LEASE_EXPIRED',
  ProducerClosed: 'KTB_PRODUCER_CLOSED',
  RecordTooLarge: 'KTB_RECORD_TOO_LARGE',
  SendFailed: 'KTB_SEND_FAILED',
  ReportMalformed: 'KTB_REPORT_MALFORMED',
  NotLeader: 'KTB_NOT_LEADER',
  Unauthorized: 'KTB_UNAUTHORIZED',
  TopicCreateFailed: 'KTB_TOPIC_CREATE_FAILED',
  /** a newer controller took over the routing topic: this one must stop acting */
  ControllerFenced: 'KTB_CONTROLLER_FENCED',
  /** another live controller owns the routing topic and this one was not started with --ha */
  ControllerConflict: 'KTB_CONTROLLER_CONFLICT',
  /** a well-formed routing record that breaks the pool layout, ownership or epoch rules */
  RouteRejected: 'KTB_ROUTE_REJECTED',
  /** an operator request for a tenant that is mid-migration */
  TenantBusy: 'KTB_TENANT_BUSY',
  /** an operator request that is invalid whatever the state (bad partitions, shards) */
  RequestInvalid: 'KTB_REQUEST_INVALID',
  /** a record routed (or sent explicitly) to a partition the topic does not have, after a bounded wait */
  RoutePartitionMissing: 'KTB_ROUTE_PARTITION_MISSING',
  /** the CLI could not reach the controller's HTTP API (pin, unpin, move) */
  ControllerUnreachable: 'KTB_CONTROLLER_UNREACHABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class TenantBalancerError extends Error {
  override readonly name = 'TenantBalancerError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

export const isTenantBalancerError = (e: unknown, code?: ErrorCode): e is TenantBalancerError =>
  e instanceof TenantBalancerError && (code === undefined || e.code === code);
