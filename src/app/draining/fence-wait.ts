import type { TenantContext, TenantEvent } from '../../../machines/tenant.machine.js';
import { drainWatch } from '../../streams/drain-watch.js';
import type { MigrationStep, StepDeps, StepScope } from './step.js';

/** How a move keeps consumer groups in order on a topic (config `gating`, per topic `topicGating`). */
export const gatingOf = (deps: StepDeps, topic: string): 'producer' | 'consumer' | 'auto' =>
  deps.config.topicGating[topic] ?? deps.config.gating;

export interface GroupSplit {
  /** the watched groups */
  readonly all: readonly string[];
  /** those that consume through the ordered consumer: a move does not wait for them */
  readonly gated: readonly string[];
  /** those a move waits for (stop-and-wait) */
  readonly waitFor: readonly string[];
}

/** Which watched groups a move of a tenant on `topic` waits for, and which are consumer-gated. */
export async function splitGroups(deps: StepDeps, topic: string): Promise<GroupSplit> {
  const all = deps.ports.offsets.groups();
  const mode = gatingOf(deps, topic);
  if (mode === 'producer') return { all, gated: [], waitFor: all };
  if (mode === 'consumer') return { all, gated: all, waitFor: [] };
  const gated = deps.ports.gates === undefined ? new Set<string>() : await deps.ports.gates.gated(topic, all);
  return { all, gated: all.filter((g) => gated.has(g)), waitFor: all.filter((g) => !gated.has(g)) };
}

/**
 * Resolves true once every group in `groups` has committed past `fence` on the tenant's topic (false
 * if the step was stopped first), sending `drain.progress` (per group) and the step's progress spans.
 */
export function awaitFence(
  deps: StepDeps,
  c: TenantContext,
  fence: ReadonlyMap<number, number>,
  groups: readonly string[],
  step: MigrationStep['step'],
  scope: StepScope & { readonly gated?: readonly string[] },
): Promise<boolean> {
  const { signal, send } = scope;
  return new Promise<boolean>((resolve) => {
    let remaining: number | undefined;
    const sub = deps.ports.offsets.samples$.pipe(drainWatch(c.topic, fence, groups)).subscribe({
      next: (p) => {
        remaining = p.remaining;
        const progress: TenantEvent = {
          type: 'drain.progress',
          remaining: p.remaining,
          byGroup: p.byGroup,
          ...(scope.gated !== undefined ? { gated: scope.gated } : {}),
        };
        send(progress);
        deps.migrationStep({
          topic: c.topic,
          tenant: c.tenant,
          epoch: c.epoch,
          step,
          phase: 'progress',
          detail: { remaining: p.remaining, ...p.byGroup },
        });
      },
      complete: () => {
        signal.removeEventListener('abort', stopped);
        resolve(remaining === 0 && !signal.aborted);
      },
    });
    const stopped = () => {
      sub.unsubscribe();
      resolve(false);
    };
    signal.addEventListener('abort', stopped);
  });
}
