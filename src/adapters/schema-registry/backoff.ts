import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** attempts in all, the first included */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** one attempt that has not answered by then counts as failed (a hung registry) */
  readonly attemptTimeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 7,
  initialDelayMs: 100,
  maxDelayMs: 2000,
  attemptTimeoutMs: 5000,
};

/** The wait before attempt n + 1 (n from 1): doubling from initialDelayMs, capped at maxDelayMs. */
export const backoffDelay = (p: RetryPolicy, n: number): number =>
  Math.min(p.maxDelayMs, p.initialDelayMs * 2 ** (n - 1));

export class AttemptTimedOut extends Error {
  override readonly name = 'AttemptTimedOut';
}

/**
 * Runs `fn` until it succeeds, fails with an error `isRetriable` refuses, or the attempts run out
 * (then the last error is thrown). `wait` is injectable for tests.
 */
export async function retryWithBackoff<T>(
  fn: () => Promise<T>,
  p: RetryPolicy,
  isRetriable: (e: unknown) => boolean,
  wait: (ms: number) => Promise<unknown> = sleep,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await withTimeout(fn(), p.attemptTimeoutMs);
    } catch (e) {
      if (n >= p.attempts || !isRetriable(e)) throw e;
      await wait(backoffDelay(p, n));
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimedOut(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
