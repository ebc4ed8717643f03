import { fromCallback } from 'xstate';
import type { TenantContext, TenantEvent } from '../../../machines/tenant.machine.js';
import { ErrorCode, isTenantBalancerError } from '../../domain/errors.js';
import type { RouteState } from '../../domain/route-record.js';
import type { ControllerPorts, ControllerTelemetry } from '../../ports/controller-ports.js';
import type { ControllerConfig } from '../controller-config.js';

export type FaultHold = 'after-announce' | 'after-fence' | 'before-commit';
export type MigrationStep = Parameters<NonNullable<ControllerTelemetry['migrationStep']>>[0];

/** What every step of a move gets from the controller. */
export interface StepDeps {
  readonly ports: ControllerPorts;
  readonly config: ControllerConfig;
  /** false once the controller stops or is fenced: a failed step is not retried then */
  readonly running: () => boolean;
  /** writes the tenant's route record with its machine snapshot (persist before act); resolves with its offset */
  readonly persist: (
    key: string,
    state: RouteState,
    partitions: readonly number[],
    from?: readonly number[],
    /** the fence a settled route carries (the move drained): added to the tenant's fence history */
    fence?: Readonly<Record<string, number>>,
  ) => Promise<number>;
  /** guarded telemetry: never throws */
  readonly migrationStep: (e: MigrationStep) => void;
  readonly onFenced: (e: Error) => void;
  /** every step's promise, so stop() can wait for writes in flight */
  readonly track: (p: Promise<void>) => void;
  /** fault injection for kill tests: stop (until aborted) at this point of a drain; never set in production */
  readonly faultHold?: FaultHold | undefined;
}

export interface StepScope {
  readonly signal: AbortSignal;
  /** sends an event to the tenant's machine, unless the step was stopped */
  readonly send: (e: TenantEvent) => void;
}

/** A step's work: resolves with the event that ends its state (none if it was stopped). */
export type StepRun = (c: TenantContext, scope: StepScope) => Promise<TenantEvent | undefined>;

export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });

/** Blocks at a fault-injection point until the step is stopped; returns false if it must not go on. */
export async function passHold(deps: StepDeps, point: FaultHold, signal: AbortSignal): Promise<boolean> {
  if (deps.faultHold !== point) return !signal.aborted;
  deps.ports.log.warn({ code: ErrorCode.FaultHold, point }, `fault hold reached: ${point}`);
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  return false;
}

/**
 * One step of a move as an XState callback actor: it runs `run` on the tenant's context (retrying a
 * failure with growing back-off while the controller runs), sends the event it resolves with, and
 * is aborted when the machine leaves the step's state. Steps are idempotent, so a step re-entered
 * after a restart (see TenantRegistry) simply runs again.
 */
export function stepActor(name: string, deps: StepDeps, run: StepRun) {
  return fromCallback<TenantEvent, TenantContext>(({ input, sendBack }) => {
    const abort = new AbortController();
    const { signal } = abort;
    const send = (e: TenantEvent) => {
      if (!signal.aborted) sendBack(e);
    };
    const done = (async () => {
      for (let attempt = 0; ; attempt++) {
        if (signal.aborted || (attempt > 0 && !deps.running())) return;
        try {
          const event = await run(input, { signal, send });
          if (event !== undefined) send(event);
          return;
        } catch (e) {
          if (signal.aborted) return;
          if (isTenantBalancerError(e, ErrorCode.ControllerFenced)) return deps.onFenced(e);
          deps.ports.log.warn(
            { topic: input.topic, tenant: input.tenant, effect: name, attempt, err: (e as Error).message },
            'effect failed; retrying',
          );
          await sleep(Math.min(5000, 200 * 2 ** attempt), signal);
        }
      }
    })();
    deps.track(done);
    return () => abort.abort();
  });
}
