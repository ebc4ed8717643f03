import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './kafka.js';

const root = join(import.meta.dirname, '..', '..', '..');

export interface CliProcess {
  readonly proc: ChildProcess;
  readonly output: string[];
  waitForOutput(re: RegExp, what: string, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** resolves with the exit code when the process ends by itself */
  readonly exited: Promise<number | null>;
}

/** Runs the built CLI (`npm test` builds first) as a real process; every test stops what it spawned. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): CliProcess {
  const proc = spawn(process.execPath, [...nodeArgs, join(root, 'dist', 'src', 'main.js'), ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const onData = (b: Buffer) =>
    output.push(
      ...b
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    output,
    exited,
    waitForOutput: (re, what, timeoutMs = 30_000) =>
      waitFor(
        () => {
          if (proc.exitCode !== null)
            throw new Error(
              `process exited (${proc.exitCode}) before ${what}:\n${output.slice(-15).join('\n')}`,
            );
          return output.find((l) => re.test(l));
        },
        what,
        timeoutMs,
      ),
    kill: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}
