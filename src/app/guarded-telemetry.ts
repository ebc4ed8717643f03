import type { ControllerPorts, ControllerTelemetry } from '../ports/controller-ports.js';

type Hook<K extends 'transition' | 'migrationStep' | 'shadowDecision'> = Parameters<
  NonNullable<ControllerTelemetry[K]>
>[0];

export interface GuardedTelemetry {
  readonly transition: (e: Hook<'transition'>) => void;
  readonly migrationStep: (e: Hook<'migrationStep'>) => void;
  readonly shadowDecision: (e: Hook<'shadowDecision'>) => void;
  readonly inMigration: <T>(topic: string, tenant: string, fn: () => T) => T;
}

/**
 * The controller's telemetry hooks, guarded: a throwing hook is logged, never breaks the control
 * plane, and a route write always runs (plainly, if the tracing wrapper fails before running it).
 */
export function guardTelemetry(ports: ControllerPorts): GuardedTelemetry {
  const hooks = ports.telemetry;
  const warn = (err: unknown) => ports.log.warn({ err: String(err) }, 'telemetry hook failed');
  const guard =
    <E>(fn: ((e: E) => void) | undefined) =>
    (e: E) => {
      try {
        fn?.(e);
      } catch (err) {
        warn(err);
      }
    };
  return {
    transition: guard(hooks?.transition?.bind(hooks)),
    migrationStep: guard(hooks?.migrationStep?.bind(hooks)),
    shadowDecision: guard(hooks?.shadowDecision?.bind(hooks)),
    inMigration: <T>(topic: string, tenant: string, fn: () => T): T => {
      if (hooks?.inMigration === undefined) return fn();
      let ran = false;
      try {
        return hooks.inMigration(topic, tenant, () => {
          ran = true;
          return fn();
        });
      } catch (err) {
        if (ran) throw err;
        warn(err);
        return fn();
      }
    },
  };
}
