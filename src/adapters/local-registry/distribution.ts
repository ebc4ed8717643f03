import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import { checkMaven } from '../local-process/maven.js';
import { apicurioArtifact } from './options.js';

const { group, name, version } = apicurioArtifact;
const runJar = 'quarkus-run.jar';

const failed = (why: string, cacheDir: string): TenantBalancerError =>
  new TenantBalancerError(
    ErrorCode.RegistryDownloadFailed,
    `${why}. If a download was cut off, delete ~/.m2/repository/io/apicurio/${name}/${version} and ${join(cacheDir, `${name}-${version}`)}, then retry.`,
  );

/**
 * The unpacked Apicurio Registry (its quarkus-run.jar), fetched once from Maven Central by Maven
 * (the `all` tar.gz, kept in ~/.m2) and unpacked into the user cache, shared by every clone. It is
 * unpacked beside its final place and renamed, so an interrupted unpack is never taken for a whole one.
 */
export function ensureDistribution(cacheDir: string, log: (line: string) => void = () => undefined): string {
  const dir = join(cacheDir, `${name}-${version}`);
  if (existsSync(join(dir, runJar))) return dir;
  checkMaven(`the schema registry (${group}:${name}:${version})`);
  log(`fetching ${group}:${name}:${version} (tar.gz, about 160 MB) from Maven Central with Maven...`);
  const work = join(cacheDir, `.${name}-${version}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const mvn = spawnSync(
      'mvn',
      [
        '-q',
        '-B',
        'dependency:copy',
        `-Dartifact=${group}:${name}:${version}:tar.gz:all`,
        `-DoutputDirectory=${work}`,
      ],
      { encoding: 'utf8', timeout: 15 * 60_000, cwd: work },
    );
    const tarball = readdirSync(work).find((f) => f.endsWith('.tar.gz'));
    if (mvn.status !== 0 || tarball === undefined) {
      const tail = `${mvn.stdout}\n${mvn.stderr}`.trim().split('\n').slice(-15).join('\n');
      throw failed(
        `Maven could not fetch the registry (exit ${mvn.status ?? mvn.signal})\n${tail}`,
        cacheDir,
      );
    }
    const unpacked = join(work, 'app');
    mkdirSync(unpacked);
    const tar = spawnSync('tar', ['-xzf', join(work, tarball), '-C', unpacked], {
      encoding: 'utf8',
      timeout: 5 * 60_000,
    });
    if (tar.status !== 0 || !existsSync(join(unpacked, runJar)))
      throw failed(`unpacking ${tarball} failed: ${tar.error?.message ?? tar.stderr}`, cacheDir);
    rmSync(dir, { recursive: true, force: true });
    renameSync(unpacked, dir);
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
