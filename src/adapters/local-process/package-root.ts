import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';

/** The repository (or installed package) root, found from this file whether it runs from src/ or dist/src/. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const name: unknown = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
      if (name === 'kafka-tenant-balancer') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new TenantBalancerError(
        ErrorCode.PackageIncomplete,
        `no package.json named kafka-tenant-balancer in ${from} or any folder above it; run from the repository or from an installed copy of the package (the local broker and registry need its scripts/kafka/pom.xml); reinstall it if its files were moved`,
      );
    dir = parent;
  }
}
