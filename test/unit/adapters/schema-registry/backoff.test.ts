import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  retryWithBackoff,
  type RetryPolicy,
} from '../../../../src/adapters/schema-registry/backoff.js';

const policy: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 300, attemptTimeoutMs: 1000 };

describe('retryWithBackoff', () => {
  it('doubles the wait between attempts up to the cap, then gives up with the last error', async () => {
    const waits: number[] = [];
    let calls = 0;
    const failing = (): Promise<never> => Promise.reject(new Error(`down ${++calls}`));
    await expect(
      retryWithBackoff(
        failing,
        policy,
        () => true,
        async (ms) => waits.push(ms),
      ),
    ).rejects.toThrow('down 5');
    expect(waits).toEqual([100, 200, 300, 300]);
    expect(backoffDelay(policy, 1)).toBe(100);
  });

  it('stops at once on an error that is not worth retrying', async () => {
    let calls = 0;
    await expect(
      retryWithBackoff(
        () => Promise.reject(new Error(`no ${++calls}`)),
        policy,
        () => false,
        async () => 0,
      ),
    ).rejects.toThrow('no 1');
    expect(calls).toBe(1);
  });

  it('returns the first success', async () => {
    let calls = 0;
    const flaky = (): Promise<number> => (++calls < 3 ? Promise.reject(new Error('x')) : Promise.resolve(42));
    await expect(
      retryWithBackoff(
        flaky,
        policy,
        () => true,
        async () => 0,
      ),
    ).resolves.toBe(42);
    expect(calls).toBe(3);
  });

  it('counts an attempt that does not answer in time as failed', async () => {
    const hung = (): Promise<number> => new Promise(() => undefined);
    await expect(
      retryWithBackoff(
        hung,
        { ...policy, attempts: 2, attemptTimeoutMs: 20 },
        (e) => e instanceof Error,
        async () => 0,
      ),
    ).rejects.toThrow('no answer within 20 ms');
  });
});
