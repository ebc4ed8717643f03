import { spawnSync } from 'node:child_process';

/** The major version `java -version` of this binary reports, or null when it does not run. */
export function javaMajor(javaBin: string): number | null {
  const r = spawnSync(javaBin, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return null;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return 0;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}
