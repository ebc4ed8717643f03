import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveClasspath } from '../../../../src/adapters/local-kafka/index.js';
import { ErrorCode } from '../../../../src/domain/errors.js';

/** A stand-in `mvn` on PATH: `--version` works, and the resolve step runs `script` (sh). */
function fakeMaven(script: string): string {
  const bin = mkdtempSync(join(tmpdir(), 'ktb-fake-mvn-'));
  const mvn = join(bin, 'mvn');
  writeFileSync(
    mvn,
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Apache Maven (fake)"; exit 0; fi\n${script}\n`,
  );
  chmodSync(mvn, 0o755);
  return bin;
}

describe('the Kafka jar cache', () => {
  const path = process.env['PATH'];
  afterEach(() => {
    process.env['PATH'] = path;
  });

  it('says KTB_JAR_CACHE_BROKEN with what to delete when Maven fails to resolve the jars', () => {
    process.env['PATH'] =
      `${fakeMaven('echo "Could not transfer artifact org.apache.kafka" >&2; exit 1')}:/usr/bin:/bin`;
    const home = mkdtempSync(join(tmpdir(), 'ktb-cp-'));
    expect(() => resolveClasspath(home)).toThrow(
      expect.objectContaining({
        code: ErrorCode.JarCacheBroken,
        message: expect.stringMatching(
          /delete ~\/\.m2\/repository\/org\/apache\/kafka[\s\S]*Could not transfer/,
        ),
      }),
    );
  });

  it('says KTB_JAR_CACHE_BROKEN when Maven names jars that are not there', () => {
    // The resolve step writes a classpath of missing jars to the -Dmdep.outputFile= file.
    const script =
      'for a in "$@"; do case "$a" in -Dmdep.outputFile=*) echo "/nonexistent/kafka.jar" > "${a#-Dmdep.outputFile=}";; esac; done; exit 0';
    process.env['PATH'] = `${fakeMaven(script)}:/usr/bin:/bin`;
    const home = mkdtempSync(join(tmpdir(), 'ktb-cp-'));
    expect(() => resolveClasspath(home)).toThrow(
      expect.objectContaining({
        code: ErrorCode.JarCacheBroken,
        message: expect.stringMatching(/do not exist/),
      }),
    );
  });
});
