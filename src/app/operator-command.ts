import type { TenantEvent } from '../../machines/tenant.machine.js';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';
import { tenantId } from '../domain/ids.js';
import type { PoolLayout } from '../domain/route-record.js';
import { isStable } from './state-name.js';

export type OperatorCommand =
  | { readonly op: 'pin'; readonly topic: string; readonly tenant: string; readonly shards?: number }
  | { readonly op: 'unpin'; readonly topic: string; readonly tenant: string }
  | { readonly op: 'move'; readonly topic: string; readonly tenant: string; readonly partitions: number[] };

export interface CommandScope {
  readonly managedTopics: readonly string[];
  readonly maxShards: number;
  readonly now: number;
  /** the topic's pool layout and partition count, for a move */
  readonly pools: (topic: string) => PoolLayout | undefined;
  readonly partitionCount: (topic: string) => number | undefined;
  /** who else holds a partition (a tenant name or key), for a move */
  readonly otherOwner: (topic: string, tenant: string, partition: number) => string | undefined;
}

/**
 * The machine event for an operator's pin / unpin / move, after checking what can be checked
 * without the tenant's state (that check, busy or not applicable, is the caller's): a clear
 * RequestInvalid or TopicNotManaged error says what to fix.
 */
export function operatorEvent(cmd: OperatorCommand, scope: CommandScope): TenantEvent {
  if (!scope.managedTopics.includes(cmd.topic)) {
    throw new TenantBalancerError(
      ErrorCode.TopicNotManaged,
      `topic "${cmd.topic}" is not managed by this controller (managed: ${scope.managedTopics.join(', ')})`,
    );
  }
  tenantId(cmd.tenant);
  const now = scope.now;
  if (cmd.op === 'pin') {
    const shards = cmd.shards ?? 1;
    if (!Number.isInteger(shards) || shards < 1 || shards > scope.maxShards) {
      throw new TenantBalancerError(
        ErrorCode.RequestInvalid,
        `partitions must be an integer in 1..${scope.maxShards} (got ${shards})`,
      );
    }
    return { type: 'operator.pinned', shards, now };
  }
  if (cmd.op === 'unpin') return { type: 'operator.unpinned', now };
  checkMove(cmd, scope);
  return { type: 'operator.moved', partitions: [...cmd.partitions].sort((a, b) => a - b), now };
}

/** A move names distinct dedicated partitions that exist and that no other tenant holds. */
function checkMove(cmd: Extract<OperatorCommand, { op: 'move' }>, scope: CommandScope): void {
  const pools = scope.pools(cmd.topic)!;
  const total = scope.partitionCount(cmd.topic) ?? pools.total;
  const bad = cmd.partitions.filter((p) => !Number.isInteger(p) || p < pools.shared || p >= total);
  if (
    cmd.partitions.length === 0 ||
    bad.length > 0 ||
    new Set(cmd.partitions).size !== cmd.partitions.length
  ) {
    throw new TenantBalancerError(
      ErrorCode.RequestInvalid,
      `move needs distinct dedicated partitions in ${pools.shared}..${total - 1} (got ${cmd.partitions.join(',') || 'none'})`,
    );
  }
  const taken = cmd.partitions.filter((p) => scope.otherOwner(cmd.topic, cmd.tenant, p) !== undefined);
  if (taken.length > 0)
    throw new TenantBalancerError(
      ErrorCode.RequestInvalid,
      `partition(s) ${taken.join(',')} are held by another tenant; move to free dedicated partitions`,
    );
}

/** Observe (shadow) mode moves no tenant: what the operator sees instead, and how to switch. */
export const observeModeRefusal = (cmd: OperatorCommand): TenantBalancerError =>
  new TenantBalancerError(
    ErrorCode.ObserveMode,
    `the controller is in observe (shadow) mode and moves no tenant: ${cmd.op} of "${cmd.tenant}" on "${cmd.topic}" refused; switch to act (set "mode": "act" in the config file and reload with SIGHUP or POST /config/reload, or restart without --mode observe), then retry`,
  );

/**
 * A command the tenant's state does not take: not applicable to a stable tenant (RequestInvalid),
 * or the tenant is moving (TenantBusy: retry later).
 */
export function stateRefusal(cmd: OperatorCommand, state: string): TenantBalancerError {
  if (isStable(state))
    return new TenantBalancerError(
      ErrorCode.RequestInvalid,
      `tenant "${cmd.tenant}" is ${state}; ${cmd.op === 'unpin' ? 'unpin applies to a pinned tenant (pin it first)' : `${cmd.op} does not apply to it`}`,
    );
  return new TenantBalancerError(
    ErrorCode.TenantBusy,
    `tenant "${cmd.tenant}" is ${state}; ${cmd.op} applies to a stable tenant, retry when the migration ends`,
  );
}
