// Over 300 lines: one XState machine is one readable spec (setup with named guards, actions, steps
// and delays, then the state chart); splitting it would scatter the lifecycle a reader needs in one view.
import { assign, cancel, enqueueActions, fromCallback, setup } from 'xstate';
import { MAX_FENCES, stateOfRoute } from '../src/domain/route-record.js';
import { decide, withMoveStart, wouldDo, type Verdict } from '../src/policy/shard-policy.js';
import type { Decision, TenantContext, TenantEvent, TenantInput } from './tenant.types.js';

export type { Decision, DrainProgress, TenantContext, TenantEvent, TenantInput } from './tenant.types.js';

/**
 * One tenant's lifecycle (docs/design.md, "Tenant lifecycle"). A readable spec with no I/O: every step
 * of a move is an invoked actor named here and implemented by the controller through
 * `tenantMachine.provide({ actors })` (src/app/draining/); the drain timeout is the named delay
 * `drainTimeout`. A step ends by sending the event that leaves its state; leaving a state stops its step.
 *
 *   shared --hot N windows--> isolating --reserved--> draining --drained--> committing --> dedicated|sharded
 *   dedicated|sharded --needs k'--> isolating(k') -> draining -> committing -> sharded(k')
 *   dedicated|sharded --cold M windows--> draining -> committing -> shared
 *   what moves, and what holds a move back (dead band, cooldowns, budgets), is src/policy/shard-policy.ts;
 *   in observe mode or for a never-move tenant a due move only records a shadow decision (`would ...`).
 *   relaxed tenants skip draining; a drain timeout waits or rolls back (`switch` waits too: only a
 *   relaxed tenant could switch, and relaxed tenants never drain).
 */
type WindowEvent = Extract<TenantEvent, { type: 'window.closed' }>;
const windowOf = (e: TenantEvent): WindowEvent | undefined => (e.type === 'window.closed' ? e : undefined);
const stableName = stateOfRoute;
/** A step does nothing until the controller provides it: pure tests send its events themselves. */
const step = fromCallback<TenantEvent, TenantContext>(() => undefined);
const fromOf = (c: TenantContext): number[] =>
  c.partitions.length === 0 ? [c.hashPartition] : [...c.partitions];
/** The policy moves this tenant by itself only in act mode and without never-move. */
const isActing = (c: TenantContext): boolean => c.mode === 'act' && !c.neverMove;
/** The policy's verdict on a window (older snapshots may lack the newer counters). */
const verdictOf = (c: TenantContext, e: TenantEvent): Verdict | undefined => {
  const w = windowOf(e);
  if (w === undefined) return undefined;
  return decide(
    {
      shards: c.partitions.length,
      hot: c.hot,
      cold: c.cold,
      grow: c.reshard,
      shrink: c.shrink ?? 0,
      manual: c.manual,
      lastMoveAt: c.lastMoveAt,
      moveStarts: c.moveStarts ?? [],
    },
    {
      window: w.window,
      now: w.now,
      migrationsInProgress: w.migrationsInProgress,
      topicMovesRecently: w.topicMovesRecently ?? 0,
    },
    c.thresholds,
  );
};
const releasePlan = (c: TenantContext, decision: Decision): Partial<TenantContext> => ({
  target: [],
  from: fromOf(c),
  previous: [...c.partitions],
  manual: false,
  heldKey: undefined,
  decision,
});

const tenantSetup = setup({
  types: {
    context: {} as TenantContext,
    events: {} as TenantEvent,
    input: {} as TenantInput,
  },
  actors: {
    reserveCapacity: step,
    announceDraining: step,
    takeFence: step,
    awaitConsumers: step,
    commitRoute: step,
  },
  delays: {
    drainTimeout: ({ context }) => context.thresholds.drainTimeoutMs,
  },
  guards: {
    isResizeDue: ({ context, event }) => {
      const v = verdictOf(context, event);
      return v?.kind === 'move' && v.move !== 'release' && isActing(context);
    },
    isReleaseDue: ({ context, event }) => {
      const v = verdictOf(context, event);
      return v?.kind === 'move' && v.move === 'release' && isActing(context);
    },
    isRelaxed: ({ context }) => context.ordering === 'relaxed',
    isRollbackPolicy: ({ context }) => context.thresholds.drainTimeoutPolicy === 'rollback',
    isSwitchAllowed: ({ context }) =>
      context.thresholds.drainTimeoutPolicy === 'switch' && context.ordering === 'relaxed',
    hasNoPartitions: ({ context }) => context.partitions.length === 0,
    hasOnePartition: ({ context }) => context.partitions.length === 1,
  },
  actions: {
    // Effects the controller implements (a log line, a decision record).
    raiseDrainAlert: () => undefined,
    recordDecision: () => undefined,

    // One window, judged once: the streaks, then the move it starts, or the decision that only
    // reports (held back, or a shadow `would ...`), recorded only when what it is about changes.
    judgeWindow: enqueueActions(({ context, event, enqueue }) => {
      const w = windowOf(event);
      const v = verdictOf(context, event);
      if (w === undefined || v === undefined) return;
      const streaks = {
        hot: v.streaks.hot,
        cold: v.streaks.cold,
        reshard: v.streaks.grow,
        shrink: v.streaks.shrink,
      };
      if (v.kind === 'stay') {
        enqueue.assign(streaks);
        return;
      }
      const from = stableName(context.partitions);
      if (v.kind === 'move' && isActing(context)) {
        const moveStarts = withMoveStart(
          context.moveStarts ?? [],
          w.now,
          context.thresholds.maxMovesPerTenantPerHour,
        );
        const decision = { at: w.now, from, reason: v.reason, numbers: v.numbers };
        enqueue.assign(
          v.move === 'release'
            ? { ...streaks, ...releasePlan(context, { ...decision, to: 'draining' }), moveStarts }
            : {
                ...streaks,
                wantShards: v.shards,
                requested: undefined,
                heldKey: undefined,
                moveStarts,
                decision: { ...decision, to: 'isolating' },
              },
        );
        enqueue('recordDecision');
        return;
      }
      const never = context.neverMove ? 'never-move' : 'observe';
      const key = v.kind === 'held' ? `${v.cause}:${v.move}` : `${never}:${v.move}`;
      if (key === context.heldKey) {
        enqueue.assign(streaks);
        return;
      }
      const would = wouldDo(context.tenant, v.move, context.partitions.length, v.shards);
      enqueue.assign({
        ...streaks,
        heldKey: key,
        decision: {
          at: w.now,
          from,
          to: v.move === 'release' ? 'draining' : 'isolating',
          reason:
            v.kind === 'held' ? v.reason : `${context.neverMove ? 'never-move: ' : ''}${would}: ${v.reason}`,
          numbers: { ...v.numbers, wantShards: v.shards },
          shadow: true,
        },
      });
      enqueue('recordDecision');
    }),
    planRelease: assign(({ context, event }) =>
      event.type === 'operator.unpinned'
        ? {
            ...releasePlan(context, {
              at: event.now,
              from: stableName(context.partitions),
              to: 'draining',
              reason: 'manual: unpinned',
              numbers: {},
            }),
            moveStarts: withMoveStart(
              context.moveStarts ?? [],
              event.now,
              context.thresholds.maxMovesPerTenantPerHour,
            ),
          }
        : {},
    ),
    planPin: assign(({ context, event }) => ({
      manual: true,
      heldKey: undefined,
      moveStarts: withMoveStart(
        context.moveStarts ?? [],
        'now' in event ? event.now : 0,
        context.thresholds.maxMovesPerTenantPerHour,
      ),
      wantShards: event.type === 'operator.pinned' ? Math.max(1, event.shards ?? 1) : context.wantShards,
      requested: event.type === 'operator.moved' ? [...event.partitions] : undefined,
      decision: {
        at: 'now' in event ? event.now : 0,
        from: stableName(context.partitions),
        to: 'isolating',
        reason:
          event.type === 'operator.moved'
            ? `manual: move to ${event.partitions.join(',')}`
            : 'manual: pinned',
        numbers: { shards: event.type === 'operator.pinned' ? (event.shards ?? 1) : context.wantShards },
      },
    })),
    setTarget: assign(({ context, event }) => {
      if (event.type !== 'capacity.reserved') return {};
      return { target: [...event.partitions], from: fromOf(context), previous: [...context.partitions] };
    }),
    bumpEpoch: assign(({ context }) => ({ epoch: context.epoch + 1 })),
    rollBack: assign(({ context, event }) => ({
      target: context.previous ?? [],
      decision: {
        at:
          event.type === 'drain.timedOut' && event.now !== undefined
            ? event.now
            : (context.drain?.startedAt ?? 0) + context.thresholds.drainTimeoutMs,
        from: 'draining',
        to: 'committing',
        reason: 'drain timed out: rolling back to the previous route',
        numbers: {},
      },
    })),
    // Nothing moved: the start this reservation counted against the budgets is given back.
    noteUnavailable: assign(({ context, event }) => ({
      moveStarts: (context.moveStarts ?? []).slice(0, -1),
      decision:
        event.type === 'capacity.unavailable'
          ? {
              at: event.now,
              from: 'isolating',
              to: stableName(context.partitions),
              reason: `stays: ${event.reason}`,
              numbers: {},
            }
          : context.decision,
    })),
    settleRoute: assign(({ context, event }) => ({
      partitions: context.target ?? context.partitions,
      target: undefined,
      from: undefined,
      previous: undefined,
      requested: undefined,
      hot: 0,
      cold: 0,
      reshard: 0,
      shrink: 0,
      heldKey: undefined,
      drainAlert: false,
      drain: undefined,
      // The fence is taken once: the settled route carries it, and every later write keeps it.
      fences:
        context.drain?.fence !== undefined
          ? [
              ...(context.fences ?? []).filter((f) => f.epoch < context.epoch),
              { epoch: context.epoch, offsets: context.drain.fence },
            ].slice(-MAX_FENCES)
          : (context.fences ?? []),
      lastMoveAt: event.type === 'route.committed' ? event.now : context.lastMoveAt,
    })),
    flagDrainAlert: assign({ drainAlert: true }),
    // A reloaded config applies at once, except ordering, which changes only while the tenant is
    // stable (a move in progress keeps the ordering it started with).
    applyConfig: assign(({ event }) =>
      event.type === 'config.changed'
        ? { thresholds: event.thresholds, mode: event.mode, neverMove: event.neverMove }
        : {},
    ),
    applyOrdering: assign(({ event }) =>
      event.type === 'config.changed' ? { ordering: event.ordering } : {},
    ),
    // The drain timeout covers the whole drain; the wait policy re-arms it (an alert per period).
    armDrainTimeout: enqueueActions(({ enqueue }) => {
      enqueue.cancel('drainTimeout');
      enqueue.raise({ type: 'drain.timedOut' }, { delay: 'drainTimeout', id: 'drainTimeout' });
    }),
    disarmDrainTimeout: cancel('drainTimeout'),
    noteAnnounced: assign(({ context, event }) =>
      event.type === 'drain.announced'
        ? { drain: { ...context.drain, startedAt: event.now, announceOffset: event.offset } }
        : {},
    ),
    noteFence: assign(({ context, event }) =>
      event.type === 'fence.taken' && event.fence !== undefined
        ? { drain: { ...context.drain, fence: event.fence } }
        : {},
    ),
    noteProgress: assign(({ context, event }) =>
      event.type === 'drain.progress'
        ? {
            drain: {
              ...context.drain,
              remaining: event.remaining,
              ...(event.byGroup !== undefined ? { waitingFor: event.byGroup } : {}),
              ...(event.gated !== undefined ? { gated: event.gated } : {}),
            },
          }
        : {},
    ),
  },
});

// The stable states (dedicated, sharded) share their transitions: written once, attached to both.
// A window starts at most one move (judgeWindow plans it and records the decision); otherwise it
// counts, and may record a held-back or shadow decision.
const onWindow = [
  { guard: 'isResizeDue', target: 'isolating', actions: 'judgeWindow' },
  { guard: 'isReleaseDue', target: 'releasing', actions: 'judgeWindow' },
  { actions: 'judgeWindow' },
] as const;

const stableOn = {
  'window.closed': onWindow,
  'operator.unpinned': { target: 'releasing', actions: ['planRelease', 'recordDecision'] },
  'operator.pinned': { target: 'isolating', actions: ['planPin', 'recordDecision'] },
  'operator.moved': { target: 'isolating', actions: ['planPin', 'recordDecision'] },
  'config.changed': { actions: ['applyConfig', 'applyOrdering'] },
} as const;

export const tenantMachine = tenantSetup.createMachine({
  id: 'tenant',
  context: ({ input }) => ({
    topic: input.topic,
    tenant: input.tenant,
    ordering: input.ordering,
    thresholds: input.thresholds,
    mode: input.mode ?? 'act',
    neverMove: input.neverMove ?? false,
    hashPartition: input.hashPartition,
    partitions: [...input.partitions],
    epoch: input.epoch,
    fences: input.fences ?? [],
    wantShards: Math.max(1, input.partitions.length),
    requested: undefined,
    target: undefined,
    from: undefined,
    previous: undefined,
    hot: 0,
    cold: 0,
    reshard: 0,
    shrink: 0,
    manual: input.manual ?? false,
    lastMoveAt: undefined,
    moveStarts: [],
    heldKey: undefined,
    drainAlert: false,
    decision: undefined,
    drain: undefined,
  }),
  initial: 'settle',
  // In every other state a reloaded config applies without its ordering (the stable states take both).
  on: { 'config.changed': { actions: 'applyConfig' } },
  states: {
    settle: {
      always: [
        { guard: 'hasNoPartitions', target: 'shared' },
        { guard: 'hasOnePartition', target: 'dedicated' },
        { target: 'sharded' },
      ],
    },
    shared: {
      on: {
        'window.closed': onWindow,
        'operator.pinned': { target: 'isolating', actions: ['planPin', 'recordDecision'] },
        'operator.moved': { target: 'isolating', actions: ['planPin', 'recordDecision'] },
        'config.changed': { actions: ['applyConfig', 'applyOrdering'] },
      },
    },
    dedicated: { on: stableOn },
    sharded: { on: stableOn },
    isolating: {
      invoke: { src: 'reserveCapacity', input: ({ context }) => context },
      on: {
        'capacity.reserved': [
          { guard: 'isRelaxed', target: 'committing', actions: ['setTarget', 'bumpEpoch'] },
          { target: 'draining', actions: 'setTarget' },
        ],
        'capacity.unavailable': { target: 'settle', actions: ['noteUnavailable', 'recordDecision'] },
        'controller.resumed': { target: 'isolating', reenter: true },
      },
    },
    releasing: {
      always: [{ guard: 'isRelaxed', target: 'committing', actions: 'bumpEpoch' }, { target: 'draining' }],
    },
    draining: {
      entry: ['bumpEpoch', 'armDrainTimeout'],
      exit: 'disarmDrainTimeout',
      initial: 'announcing',
      states: {
        announcing: {
          invoke: { src: 'announceDraining', input: ({ context }) => context },
          on: {
            'producers.acked': 'fencing',
            'controller.resumed': { target: 'announcing', reenter: true, actions: 'armDrainTimeout' },
          },
        },
        fencing: {
          invoke: { src: 'takeFence', input: ({ context }) => context },
          on: {
            'fence.taken': { target: 'waiting', actions: 'noteFence' },
            'controller.resumed': { target: 'fencing', reenter: true, actions: 'armDrainTimeout' },
          },
        },
        waiting: {
          invoke: { src: 'awaitConsumers', input: ({ context }) => context },
          on: {
            'drain.completed': '#tenant.committing',
            'controller.resumed': { target: 'waiting', reenter: true, actions: 'armDrainTimeout' },
          },
        },
      },
      on: {
        'drain.announced': { actions: 'noteAnnounced' },
        'drain.progress': { actions: 'noteProgress' },
        // a resumed wait that had to take its fence again records it (the settled route carries it)
        'fence.taken': { actions: 'noteFence' },
        'drain.timedOut': [
          { guard: 'isSwitchAllowed', target: 'committing' },
          { guard: 'isRollbackPolicy', target: 'committing', actions: ['rollBack', 'recordDecision'] },
          { actions: ['flagDrainAlert', 'raiseDrainAlert', 'armDrainTimeout'] },
        ],
      },
    },
    committing: {
      invoke: { src: 'commitRoute', input: ({ context }) => context },
      on: {
        'route.committed': { target: 'settle', actions: 'settleRoute' },
        'controller.resumed': { target: 'committing', reenter: true },
      },
    },
  },
});

export type TenantMachine = typeof tenantMachine;
export type TenantStateValue =
  'shared' | 'isolating' | 'releasing' | 'draining' | 'committing' | 'dedicated' | 'sharded' | 'settle';
