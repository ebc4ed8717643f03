import { assess, type Assessment } from './tenant-assessment.js';
import type { Thresholds } from './thresholds.js';
import type { TenantWindow } from './window-summary.js';

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** What the policy may start on its own: isolate a shared tenant, grow or shrink its shards, release it. */
export type Move = 'isolate' | 'grow' | 'shrink' | 'release';

/** What a hold is for: the key a held-back decision is recorded under (once per change of key). */
export type HoldCause = 'dead-band' | 'cooldown' | 'tenant-budget' | 'topic-budget' | 'concurrency';

/** A tenant as the policy sees it before a window: its committed shards and its streaks. */
export interface Standing {
  /** committed partitions; 0 = shared */
  readonly shards: number;
  readonly hot: number;
  readonly cold: number;
  /** consecutive windows a larger shard count was wanted */
  readonly grow: number;
  /** consecutive windows the rate fitted fewer shards with the margin */
  readonly shrink: number;
  /** pinned by an operator: traffic never resizes or releases it */
  readonly manual: boolean;
  readonly lastMoveAt: number | undefined;
  /** when this tenant's recent moves started (the last hour is enough) */
  readonly moveStarts: readonly number[];
}

/** One closed window and what the controller counted around it. */
export interface WindowFacts {
  readonly window: TenantWindow;
  readonly now: number;
  readonly migrationsInProgress: number;
  /** moves started in the tenant's topic in the last minute, all tenants */
  readonly topicMovesRecently: number;
}

export interface Streaks {
  readonly hot: number;
  readonly cold: number;
  readonly grow: number;
  readonly shrink: number;
}

interface Want {
  readonly move: Move;
  readonly shards: number;
  readonly reason: string;
  readonly numbers: Readonly<Record<string, number>>;
}

export type Verdict =
  | { readonly kind: 'stay'; readonly streaks: Streaks }
  | ({ readonly kind: 'move'; readonly streaks: Streaks } & Want)
  | ({ readonly kind: 'held'; readonly cause: HoldCause; readonly streaks: Streaks } & Want);

const perSec = (n: number): string => `${n.toFixed(0)}/s`;
const plural = (k: number): string => `${k} partition${k === 1 ? '' : 's'}`;
const moves = (n: number): string => `${n} move${n === 1 ? '' : 's'}`;

/** The shard count whose dead band the rate is under: j = ceil(rate / (capacity x headroom x (1 - margin))). */
export const shardsToShrinkTo = (rate: number, t: Thresholds): number =>
  Math.min(
    t.maxShards,
    Math.max(1, Math.ceil(rate / (t.partitionCapacity * t.headroom * (1 - t.shrinkMargin)))),
  );

/** The rate above which a tenant on k partitions grows: k x capacity x headroom x (1 + growMargin). */
export const growAbove = (k: number, t: Thresholds): number =>
  k * t.partitionCapacity * t.headroom * (1 + t.growMargin);

/** The cooldown that applies to a move, after the tenant's last move. */
export const cooldownOf = (move: Move, t: Thresholds): number =>
  move === 'grow'
    ? (t.growCooldownMs ?? t.cooldownMs)
    : move === 'shrink'
      ? t.shrinkCooldownMs
      : t.cooldownMs;

export const movesWithin = (starts: readonly number[], now: number, spanMs: number): number => {
  let n = 0;
  for (const at of starts) if (at <= now && now - at < spanMs) n++;
  return n;
};

/** What the tenant's window asks for, before cooldowns and budgets: a move, a dead-band hold, or nothing. */
function want(s: Standing, a: Assessment, streaks: Streaks, t: Thresholds): Want | 'dead-band' | undefined {
  const rate = a.numbers['rate'] ?? 0;
  const capacity = t.partitionCapacity * t.headroom;
  const base = { ...a.numbers, shards: s.shards, capacity };
  if (s.shards === 0) {
    if (streaks.hot < t.hotWindows) return undefined;
    return { move: 'isolate', shards: a.shardsNeeded, reason: a.reason, numbers: base };
  }
  if (s.manual) return undefined;
  if (streaks.cold >= t.coldWindows)
    return { move: 'release', shards: 0, reason: `cold: ${a.reason}`, numbers: base };
  if (streaks.grow >= t.reshardWindows)
    return {
      move: 'grow',
      shards: a.shardsNeeded,
      reason: `rate ${perSec(rate)} needs ${plural(a.shardsNeeded)} of ${perSec(capacity)}`,
      numbers: base,
    };
  const j = shardsToShrinkTo(rate, t);
  if (streaks.shrink >= t.shrinkWindows)
    return {
      move: 'shrink',
      shards: j,
      reason:
        `rate ${perSec(rate)} fits ${plural(j)} with a ${(t.shrinkMargin * 100).toFixed(0)}% margin ` +
        `for ${streaks.shrink} windows`,
      numbers: { ...base, shrinkTo: j, shrinkMargin: t.shrinkMargin },
    };
  return streaks.shrink > 0 || (!a.cold && a.shardsNeeded !== s.shards) ? 'dead-band' : undefined;
}

/**
 * One window judged against the thresholds: which move the tenant is due for, or why it is held back,
 * with the numbers. Grows at once (reshardWindows, default 1); shrinks only below the dead band for
 * shrinkWindows windows; every move waits out its cooldown and the tenant's and topic's move budgets,
 * and the cap on concurrent migrations. Pure: the caller passes the time in.
 */
export function decide(s: Standing, f: WindowFacts, t: Thresholds): Verdict {
  const a = assess(f.window, t);
  const rate = a.numbers['rate'] ?? 0;
  const j = shardsToShrinkTo(rate, t);
  const resizable = s.shards > 0 && !a.cold;
  const streaks: Streaks = {
    hot: a.hot ? s.hot + 1 : 0,
    cold: a.cold ? s.cold + 1 : 0,
    grow: resizable && a.shardsNeeded > s.shards && rate > growAbove(s.shards, t) ? s.grow + 1 : 0,
    shrink: resizable && s.shards >= 2 && j < s.shards ? s.shrink + 1 : 0,
  };
  const w = want(s, a, streaks, t);
  if (w === undefined) return { kind: 'stay', streaks };
  if (w === 'dead-band' && a.shardsNeeded > s.shards) {
    const above = growAbove(s.shards, t);
    return {
      kind: 'held',
      cause: 'dead-band',
      streaks,
      move: 'grow',
      shards: a.shardsNeeded,
      reason:
        `held back by the dead band: rate ${perSec(rate)} is within the ${(t.growMargin * 100).toFixed(0)}% grow ` +
        `margin of ${plural(s.shards)}; it grows above ${perSec(above)}`,
      numbers: { ...a.numbers, shards: s.shards, growAbove: above, growMargin: t.growMargin },
    };
  }
  if (w === 'dead-band') {
    const limit =
      Math.min(s.shards - 1, t.maxShards) * t.partitionCapacity * t.headroom * (1 - t.shrinkMargin);
    const fits = Math.min(s.shards - 1, a.shardsNeeded);
    return {
      kind: 'held',
      cause: 'dead-band',
      streaks,
      move: 'shrink',
      shards: fits,
      reason:
        `held back by the dead band: rate ${perSec(rate)} fits ${plural(fits)}; it shrinks after ` +
        `${t.shrinkWindows} windows at <= ${perSec(limit)} (shrinkMargin ${(t.shrinkMargin * 100).toFixed(0)}%)`,
      numbers: { ...a.numbers, shards: s.shards, shrinkBelow: limit, shrinkWindows: t.shrinkWindows },
    };
  }
  const hold = holdOf(w, s, f, t);
  if (hold === undefined) return { kind: 'move', streaks, ...w };
  return {
    kind: 'held',
    cause: hold.cause,
    streaks,
    move: w.move,
    shards: w.shards,
    reason: `held back by ${hold.what}: ${w.reason}`,
    numbers: { ...w.numbers, ...hold.numbers },
  };
}

interface Hold {
  readonly cause: HoldCause;
  readonly what: string;
  readonly numbers: Readonly<Record<string, number>>;
}

/** The first limit that holds a wanted move back, if any. */
function holdOf(w: Want, s: Standing, f: WindowFacts, t: Thresholds): Hold | undefined {
  const cooldown = cooldownOf(w.move, t);
  if (s.lastMoveAt !== undefined && f.now - s.lastMoveAt < cooldown) {
    const leftMs = cooldown - (f.now - s.lastMoveAt);
    const which =
      w.move === 'grow' ? 'the grow cooldown' : w.move === 'shrink' ? 'the shrink cooldown' : 'the cooldown';
    return {
      cause: 'cooldown',
      what: `${which} (${Math.ceil(leftMs / 1000)} s left)`,
      numbers: { cooldownMs: cooldown, leftMs },
    };
  }
  const lastHour = movesWithin(s.moveStarts, f.now, HOUR_MS);
  if (lastHour >= t.maxMovesPerTenantPerHour)
    return {
      cause: 'tenant-budget',
      what: `the tenant's move budget (${moves(lastHour)} in the last hour, maxMovesPerTenantPerHour ${t.maxMovesPerTenantPerHour})`,
      numbers: { movesLastHour: lastHour, maxMovesPerTenantPerHour: t.maxMovesPerTenantPerHour },
    };
  if (f.topicMovesRecently >= t.maxMovesPerTopicPerMinute)
    return {
      cause: 'topic-budget',
      what: `the topic's move budget (${moves(f.topicMovesRecently)} in the last minute, maxMovesPerTopicPerMinute ${t.maxMovesPerTopicPerMinute})`,
      numbers: {
        topicMovesRecently: f.topicMovesRecently,
        maxMovesPerTopicPerMinute: t.maxMovesPerTopicPerMinute,
      },
    };
  if (f.migrationsInProgress >= t.maxConcurrentMigrations)
    return {
      cause: 'concurrency',
      what: `maxConcurrentMigrations (${f.migrationsInProgress} in progress, at most ${t.maxConcurrentMigrations})`,
      numbers: {
        migrationsInProgress: f.migrationsInProgress,
        maxConcurrentMigrations: t.maxConcurrentMigrations,
      },
    };
  return undefined;
}

/** What a move would do, in words, for a decision that only reports it (observe mode, never-move). */
export function wouldDo(tenant: string, move: Move, from: number, to: number): string {
  if (move === 'isolate') return `would isolate ${tenant} on ${plural(to)}`;
  if (move === 'release') return `would release ${tenant} to shared`;
  return `would reshard ${tenant} from ${from} to ${plural(to)}`;
}

/**
 * Adds a move start to the starts of the last hour, keeping only the newest `keep` (the tenant budget,
 * maxMovesPerTenantPerHour): the budget check needs no more, and the list is persisted in route records.
 */
export const withMoveStart = (starts: readonly number[], now: number, keep: number): number[] =>
  [...starts.filter((at) => at <= now && now - at < HOUR_MS), now].slice(-Math.max(1, keep));
