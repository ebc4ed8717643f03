import { ErrorCode, TenantBalancerError } from '../domain/errors.js';
import type { ControllerConfig } from './controller-config.js';

/** The fields a running controller applies without a restart (SIGHUP, POST /config/reload). */
export const RELOADABLE = ['thresholds', 'mode', 'tenants'] as const;
const reloadable = new Set<string>(RELOADABLE);

const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
};

/** `a.b` paths under which two values differ, one level into objects (thresholds.isolateRate, http.port). */
const differences = (prefix: string, a: unknown, b: unknown): string[] => {
  if (same(a, b)) return [];
  const objects =
    typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && !Array.isArray(a);
  if (!objects) return [prefix];
  const keys = new Set([...Object.keys(a), ...Object.keys(b as object)]);
  return [...keys]
    .filter((k) => !same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    .map((k) => `${prefix}.${k}`);
};

/**
 * What a reload would change: the reloadable fields that differ (e.g. `thresholds.isolateRate`,
 * `mode`, `tenants.orders/acme`). Refuses the whole reload, naming every other field that differs,
 * when one of those changed: only a restart applies them (the connections, topics, HTTP listener and
 * election are built from them once).
 */
export function reloadChanges(prev: ControllerConfig, next: ControllerConfig): string[] {
  const keys = new Set([...Object.keys(prev), ...Object.keys(next)]) as Set<keyof ControllerConfig>;
  const fixed = [...keys].filter((k) => !reloadable.has(k) && !same(prev[k], next[k]));
  if (fixed.length > 0)
    throw new TenantBalancerError(
      ErrorCode.ConfigRestartRequired,
      `${fixed.join(', ')} changed, and only a restart applies ${fixed.length === 1 ? 'it' : 'them'}; nothing was reloaded (restart the controller, or put ${fixed.length === 1 ? 'it' : 'them'} back and reload; live: ${RELOADABLE.join(', ')})`,
    );
  return RELOADABLE.flatMap((k) => differences(k, prev[k], next[k]));
}
