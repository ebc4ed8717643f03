import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import { javaMajor } from '../local-process/java.js';
import { checkMaven } from '../local-process/maven.js';
import { packageRoot } from '../local-process/package-root.js';

export const pomPath = (): string => join(packageRoot(), 'scripts', 'kafka', 'pom.xml');

/** Fails fast with an install hint instead of a cryptic spawn ENOENT. */
export function checkJava(): number {
  const major = javaMajor('java');
  if (major === null) {
    throw new TenantBalancerError(
      ErrorCode.JavaMissing,
      'java was not found on PATH; the local Kafka broker needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless), or set KAFKA_BROKERS to use an existing cluster.',
    );
  }
  if (major < 17) {
    throw new TenantBalancerError(
      ErrorCode.JavaTooOld,
      `java reports version ${major || 'unknown'}; Kafka 4 needs Java 17 or newer. Install openjdk-17 and put it first on PATH.`,
    );
  }
  return major;
}

const missingJars = (cp: string): string[] => cp.split(':').filter((jar) => jar !== '' && !existsSync(jar));

/**
 * The broker's classpath, resolved by Maven from scripts/kafka/pom.xml into the local Maven
 * repository (~/.m2, outside git). The resolved list is cached per pom content; a cache that names
 * jars which no longer exist is re-resolved once, and if Maven cannot mend it we say what to delete.
 */
export function resolveClasspath(home: string): string {
  const pom = pomPath();
  const digest = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 12);
  mkdirSync(home, { recursive: true });
  const cacheFile = join(home, `classpath-${digest}.txt`);
  if (existsSync(cacheFile)) {
    const cached = readFileSync(cacheFile, 'utf8').trim();
    if (cached !== '' && missingJars(cached).length === 0) return cached;
  }
  checkMaven('the Kafka broker jars');
  const r = spawnSync(
    'mvn',
    ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${cacheFile}`],
    { encoding: 'utf8', timeout: 15 * 60_000 },
  );
  if (r.status !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new TenantBalancerError(
      ErrorCode.JarCacheBroken,
      `Maven could not resolve the Kafka jars (exit ${r.status ?? r.signal}). If a download was cut off, delete ~/.m2/repository/org/apache/kafka and ${home} and retry.\n${tail}`,
    );
  }
  const cp = readFileSync(cacheFile, 'utf8').trim();
  const missing = missingJars(cp);
  if (cp === '' || missing.length > 0) {
    throw new TenantBalancerError(
      ErrorCode.JarCacheBroken,
      `the Kafka classpath names jars that do not exist (${missing.slice(0, 3).join(', ')}); delete them from ~/.m2/repository and delete ${cacheFile}, then retry.`,
    );
  }
  writeFileSync(cacheFile, cp);
  return cp;
}
