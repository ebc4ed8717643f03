/**
 * The registry of our codes: every code we raise in a TenantBalancerError or write in a log record
 * (`code` field) is here, with what it means. Codes are part of the public contract (alerts, tests,
 * scripts match them): never rename or reuse one, add a new one instead.
 * test/unit/domain/errors.test.ts fails when a `KTB_*` name in src/ or machines/ is neither here nor an
 * environment variable that the code reads.
 */
export const ErrorCode = {
  /** a setting (flag, env var, config file field, option) is wrong; the message names it */
  ConfigInvalid: 'KTB_CONFIG_INVALID',
  /** the local broker needs Java and none was found */
  JavaMissing: 'KTB_JAVA_MISSING',
  /** the local broker needs Java 17 or newer */
  JavaTooOld: 'KTB_JAVA_TOO_OLD',
  /** the local broker's jars are resolved with Maven and none was found */
  MavenMissing: 'KTB_MAVEN_MISSING',
  /** Maven could not resolve the Kafka jars, or the resolved classpath is incomplete */
  JarCacheBroken: 'KTB_JAR_CACHE_BROKEN',
  /** a port the local broker needs is taken by another process */
  PortInUse: 'KTB_PORT_IN_USE',
  /** the local broker did not start or did not answer in time */
  BrokerStartFailed: 'KTB_BROKER_START_FAILED',
  /** no bootstrap broker answered */
  BrokerUnreachable: 'KTB_BROKER_UNREACHABLE',
  /** a topic the command or the producer needs does not exist */
  TopicMissing: 'KTB_TOPIC_MISSING',
  /** a managed topic to create already exists */
  TopicExists: 'KTB_TOPIC_EXISTS',
  /** the topic has no pool layout in the routing topic, or this controller does not manage it */
  TopicNotManaged: 'KTB_TOPIC_NOT_MANAGED',
  /** a routing record that cannot be decoded (skipped and counted) */
  RouteRecordMalformed: 'KTB_ROUTE_RECORD_MALFORMED',
  /** a routing record of a newer format version than this build reads (skipped) */
  RouteRecordUnknownVersion: 'KTB_ROUTE_RECORD_UNKNOWN_VERSION',
  /** a routing record over the size limit */
  RouteRecordOversize: 'KTB_ROUTE_RECORD_OVERSIZE',
  /** a tenant id that is empty or too long */
  TenantInvalid: 'KTB_TENANT_INVALID',
  /** the producer's buffer.memory stayed full for max.block.ms */
  BufferFull: 'KTB_BUFFER_FULL',
  /** the producer's routing view is older than its lease: it stops routing rather than guess */
  RouteLeaseExpired: 'KTB_ROUTE_LEASE_EXPIRED',
  /** the producer is closed (or connected twice) */
  ProducerClosed: 'KTB_PRODUCER_CLOSED',
  /** a record larger than max.request.size */
  RecordTooLarge: 'KTB_RECORD_TOO_LARGE',
  /** Kafka refused a batch for good; the records of the batch failed */
  SendFailed: 'KTB_SEND_FAILED',
  /** a traffic report or drain ack that cannot be decoded (skipped and counted) */
  ReportMalformed: 'KTB_REPORT_MALFORMED',
  /** the request reached a standby controller; send it to the leader */
  NotLeader: 'KTB_NOT_LEADER',
  /** an HTTP request without the controller's bearer token */
  Unauthorized: 'KTB_UNAUTHORIZED',
  /** the broker refused to create a topic */
  TopicCreateFailed: 'KTB_TOPIC_CREATE_FAILED',
  /** a newer controller took over the routing topic: this one must stop acting */
  ControllerFenced: 'KTB_CONTROLLER_FENCED',
  /** another live controller owns the routing topic and this one was not started with --ha */
  ControllerConflict: 'KTB_CONTROLLER_CONFLICT',
  /** a well-formed routing record that breaks the pool layout, ownership or epoch rules */
  RouteRejected: 'KTB_ROUTE_REJECTED',
  /** an operator request for a tenant that is mid-migration (HTTP 409: retry when it settles) */
  TenantBusy: 'KTB_TENANT_BUSY',
  /** an operator request that is invalid whatever the state (bad partitions, shards) */
  RequestInvalid: 'KTB_REQUEST_INVALID',
  /** a record routed (or sent explicitly) to a partition the topic does not have, after a bounded wait */
  RoutePartitionMissing: 'KTB_ROUTE_PARTITION_MISSING',
  /** the CLI could not reach the controller's HTTP API (pin, unpin, move) */
  ControllerUnreachable: 'KTB_CONTROLLER_UNREACHABLE',
  /** log (warn): a drain timed out; the tenant stays held until its consumers catch up (policy: wait) */
  DrainStuck: 'KTB_DRAIN_STUCK',
  /** log (warn): the controller stopped at a fault-injection point (env KTB_FAULT_HOLD; tests only) */
  FaultHold: 'KTB_FAULT_HOLD',
  /** log (debug): a tenant's traffic report claimed more than its partitions grew; the rate was capped */
  TrafficImplausible: 'KTB_TRAFFIC_IMPLAUSIBLE',
  /** log (error): a traffic report needs more than 64 records under maxReportBytes; that interval is not reported */
  TrafficReportTooLarge: 'KTB_TRAFFIC_REPORT_TOO_LARGE',
  /** log (error): publishing a traffic report (or one of its parts) failed; the controller misses that interval */
  TrafficReportUnpublished: 'KTB_TRAFFIC_REPORT_UNPUBLISHED',
  /** log (warn): an ordered consumer met a record whose route-epoch header names a route the routing topic does not have; it processed it ungated */
  OrphanEpoch: 'KTB_ORPHAN_EPOCH',
  /** log (warn): a batch failed for good, so the producer replaced its idempotent kafkajs producer */
  ProducerRenewed: 'KTB_PRODUCER_RENEWED',
  /** log (warn): Kafka returned no result for some partitions of a batch; the producer retries them */
  SendUnanswered: 'KTB_SEND_UNANSWERED',
  /** an operator command (pin, unpin, move) sent to a controller in observe (shadow) mode: it moves no tenant (HTTP 409) */
  ObserveMode: 'KTB_OBSERVE_MODE',
  /** a config reload changed a field that only a restart applies (brokers, topics, http, ...); nothing was applied (HTTP 409) */
  ConfigRestartRequired: 'KTB_CONFIG_RESTART_REQUIRED',
  /** the local schema registry (Apicurio) needs Java 21 or newer and none was found; the message lists where we looked */
  RegistryJavaMissing: 'KTB_REGISTRY_JAVA_MISSING',
  /** Maven could not fetch the registry distribution, or it could not be unpacked into the cache */
  RegistryDownloadFailed: 'KTB_REGISTRY_DOWNLOAD_FAILED',
  /** the local schema registry did not start or did not answer in time */
  RegistryStartFailed: 'KTB_REGISTRY_START_FAILED',
  /** send(): the value does not match its schema (Avro, JSON Schema or Protobuf); the message names the fields */
  SchemaValueInvalid: 'KTB_SCHEMA_VALUE_INVALID',
  /** send(): the registry refused to register the schema as incompatible with the subject's earlier versions */
  SchemaIncompatible: 'KTB_SCHEMA_INCOMPATIBLE',
  /** the registry refused the schema itself (it does not parse), or the registry answered with an error */
  SchemaRejected: 'KTB_SCHEMA_REJECTED',
  /** the subject or schema id the serializer or deserializer asked for is not in the registry */
  SchemaNotFound: 'KTB_SCHEMA_NOT_FOUND',
  /** the schema registry did not answer (down or unreachable) within the serializer's retry budget */
  SchemaRegistryUnavailable: 'KTB_SCHEMA_REGISTRY_UNAVAILABLE',
  /** a record value is not in the Confluent wire format (magic byte 0, 4-byte schema id), or its payload does not decode */
  SchemaDecodeFailed: 'KTB_SCHEMA_DECODE_FAILED',
  /** a broken invariant inside this library (a bug): report it with the message */
  Internal: 'KTB_INTERNAL',
  /** this package's own files (package.json, scripts/kafka/pom.xml) were not found: a broken install */
  PackageIncomplete: 'KTB_PACKAGE_INCOMPLETE',
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
