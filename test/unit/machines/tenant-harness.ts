import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { tenantMachine, type TenantEvent, type TenantInput } from '../../../machines/tenant.machine.js';
import { parseThresholds, type ThresholdsInput } from '../../../src/policy/thresholds.js';
import type { TenantWindow } from '../../../src/policy/window-summary.js';

export type Snap = SnapshotFrom<typeof tenantMachine>;

export const thresholds = (over: ThresholdsInput = {}) =>
  parseThresholds({
    isolateRate: 1000,
    isolateShare: 0.3,
    hotWindows: 3,
    releaseRate: 100,
    coldWindows: 4,
    partitionCapacity: 2000,
    headroom: 1,
    cooldownMs: 0,
    reshardWindows: 2,
    ...over,
  });

export const input = (over: Partial<TenantInput> = {}): TenantInput => ({
  topic: 'orders',
  tenant: 'whale',
  ordering: 'strict',
  thresholds: thresholds(),
  hashPartition: 2,
  partitions: [],
  epoch: 0,
  ...over,
});

export const win = (rate: number, share = 0.9): TenantWindow => ({
  topic: 'orders',
  tenant: 'whale',
  at: 0,
  recordsPerSec: rate,
  bytesPerSec: rate * 100,
  share,
  lag: 0,
  trend: 0,
});

export const closed = (rate: number, now = 10_000, migrationsInProgress = 0, share = 0.9): TenantEvent => ({
  type: 'window.closed',
  window: win(rate, share),
  now,
  migrationsInProgress,
});

/**
 * The effects a transition asks for, by name: named actions, and the steps invokes start (a
 * spawnChild carries the step's src). XState's own bookkeeping (stopping a step, arming or cancelling
 * the drain timeout) is left out.
 */
export const effectNames = (actions: readonly { type: string; params?: unknown }[]): string[] =>
  actions.flatMap((a) =>
    a.type === 'xstate.spawnChild'
      ? [String((a.params as { src?: unknown } | undefined)?.src)]
      : a.type.startsWith('xstate.')
        ? []
        : [a.type],
  );

/** Runs events purely; returns the final snapshot and the names of the effects each step emitted. */
export function run(events: TenantEvent[], i: TenantInput = input()): { snap: Snap; effects: string[][] } {
  let [snap, actions] = initialTransition(tenantMachine, i);
  const effects: string[][] = [effectNames(actions)];
  for (const e of events) {
    [snap, actions] = transition(tenantMachine, snap, e);
    effects.push(effectNames(actions));
  }
  return { snap, effects };
}

export const stateOf = (s: Snap): string => (typeof s.value === 'string' ? s.value : JSON.stringify(s.value));

/**
 * The events that carry a move in progress to its end, as the controller's steps would send them:
 * capacity at dedicated partitions 10.. (as many as wanted), acks, fence, drain, commit at `now`.
 */
export function finishMove(snap: Snap, now: number): { snap: Snap; effects: string[][] } {
  let s = snap;
  const effects: string[][] = [];
  for (let step = 0; step < 8; step++) {
    const v = stateOf(s);
    const e: TenantEvent | undefined =
      v === 'isolating'
        ? {
            type: 'capacity.reserved',
            partitions: Array.from({ length: s.context.wantShards }, (_, i) => 10 + i),
          }
        : v === '{"draining":"announcing"}'
          ? { type: 'producers.acked' }
          : v === '{"draining":"fencing"}'
            ? { type: 'fence.taken' }
            : v === '{"draining":"waiting"}'
              ? { type: 'drain.completed' }
              : v === 'committing'
                ? { type: 'route.committed', now }
                : undefined;
    if (e === undefined) break;
    const [next, actions] = transition(tenantMachine, s, e);
    effects.push(effectNames(actions));
    s = next;
  }
  return { snap: s, effects };
}

/** Sends one event purely: the next snapshot and the names of the effects it asked for. */
export function step(snap: Snap, e: TenantEvent): { snap: Snap; effects: string[] } {
  const [next, actions] = transition(tenantMachine, snap, e);
  return { snap: next, effects: effectNames(actions) };
}

export const start = (i: TenantInput = input()): Snap => initialTransition(tenantMachine, i)[0];
