import { homedir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../local-process/package-root.js';

/** The registry we run locally: Apicurio Registry, a Quarkus app published on Maven Central. */
export const apicurioArtifact = { group: 'io.apicurio', name: 'apicurio-registry-app', version: '3.3.3' };

export interface LocalRegistryOptions {
  /** HTTP port; Quarkus's management interface (health) listens on port + 1. */
  readonly port: number;
  /** Holds the pid and the log; git-ignored. */
  readonly home: string;
  /** Holds the unpacked distribution, shared by every clone (outside the repository). */
  readonly cacheDir: string;
  readonly heapMb: number;
  readonly startTimeoutMs: number;
}

/** Where downloads are kept for every clone: $KTB_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache. */
export const userCacheDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env['KTB_CACHE_DIR'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'kafka-tenant-balancer');

export const defaultLocalRegistryOptions = (
  overrides: Partial<LocalRegistryOptions> = {},
): LocalRegistryOptions => ({
  port: overrides.port ?? Number(process.env['KTB_REGISTRY_PORT'] ?? 8081),
  home: overrides.home ?? process.env['KTB_REGISTRY_HOME'] ?? join(packageRoot(), '.local-registry'),
  cacheDir: overrides.cacheDir ?? userCacheDir(),
  heapMb: overrides.heapMb ?? 512,
  startTimeoutMs: overrides.startTimeoutMs ?? 120_000,
});

export const managementPort = (o: LocalRegistryOptions): number => o.port + 1;
export const instanceDir = (o: LocalRegistryOptions): string => join(o.home, `registry-${o.port}`);
/** The Confluent-compatible API, which @kafkajs/confluent-schema-registry and every Kafka client speak. */
export const registryUrl = (o: LocalRegistryOptions): string => `http://127.0.0.1:${o.port}/apis/ccompat/v7`;
