/**
 * The draining protocol (docs/design.md, "The draining protocol"), one step per file, each an actor
 * the tenant machine invokes in the state it belongs to:
 *
 *   isolating            reserve-capacity.ts   persist the intent, reserve (or grow) partitions
 *   draining.announcing  announce-draining.ts  persist the draining route, collect-acks.ts
 *   draining.fencing     take-fence.ts         log-end offsets of the old partitions
 *   draining.waiting     await-consumers.ts    every watched group past the fence
 *   committing           commit-route.ts       persist the settled route
 *
 * Every step persists before it acts (route-journal.ts), so a restarted controller resumes the move.
 */
import { announceDraining } from './announce-draining.js';
import { awaitConsumers } from './await-consumers.js';
import type { AckDeps } from './collect-acks.js';
import { commitRoute, type CommitDeps } from './commit-route.js';
import { reserveCapacity, type ReserveDeps } from './reserve-capacity.js';
import { takeFence } from './take-fence.js';

export type DrainingDeps = ReserveDeps & AckDeps & CommitDeps;

/** The machine's step actors, for `tenantMachine.provide({ actors })`. */
export const drainingSteps = (deps: DrainingDeps) => ({
  reserveCapacity: reserveCapacity(deps),
  announceDraining: announceDraining(deps),
  takeFence: takeFence(deps),
  awaitConsumers: awaitConsumers(deps),
  commitRoute: commitRoute(deps),
});

export type { FaultHold, StepDeps } from './step.js';
