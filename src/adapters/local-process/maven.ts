import { spawnSync } from 'node:child_process';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';

/** Fails fast with an install hint: the local broker's jars and the registry come from Maven Central. */
export function checkMaven(what: string): void {
  const r = spawnSync('mvn', ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    throw new TenantBalancerError(
      ErrorCode.MavenMissing,
      `mvn was not found on PATH; it resolves ${what} from Maven Central (Debian: apt-get install maven).`,
    );
  }
}
