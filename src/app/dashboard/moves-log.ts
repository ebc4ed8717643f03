import type { ControllerTelemetry, DecisionEvent } from '../../ports/controller-ports.js';
import { isStable } from '../state-name.js';
import type { MoveStep, MoveView } from './view-model.js';

type StepEvent = Parameters<NonNullable<ControllerTelemetry['migrationStep']>>[0];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The dashboard's recent moves: a bounded log fed by the controller's telemetry hooks (a tenant
 * actor's state changes and the drain steps' start, progress and end), so the controller and the
 * draining steps need no change to be drawn. A move starts when a tenant leaves a stable state and
 * ends when it settles in one; a move already running when the log started (a resumed drain) starts
 * at its first change seen. Entries are replaced, never mutated, so a delta can compare them.
 */
export class MovesLog {
  private readonly moves = new Map<number, MoveView>();
  private readonly active = new Map<string, number>();
  private readonly holdFrom = new Map<number, number>();
  private nextId = 1;

  constructor(
    private readonly now: () => number,
    private readonly capacity = 100,
  ) {}

  /** Hooks to combine with the controller's other telemetry. */
  readonly telemetry: ControllerTelemetry = {
    transition: (e) => this.onTransition(e),
    migrationStep: (e) => this.onStep(e),
  };

  /** Oldest first; `stuck(key)` says whether a running move's drain is past its timeout. */
  views(stuck: (key: string) => boolean): MoveView[] {
    const out: MoveView[] = [];
    for (const m of this.moves.values()) {
      const s = m.endedAt === undefined && stuck(`${m.topic}/${m.tenant}`);
      out.push(s === m.stuck ? m : { ...m, stuck: s });
    }
    return out;
  }

  private onTransition(e: DecisionEvent): void {
    const key = `${e.topic}/${e.tenant}`;
    const at = this.now();
    const id = this.active.get(key);
    if (id === undefined) {
      if (isStable(e.to)) return;
      this.start(key, e, at);
      return;
    }
    this.update(id, (m) => {
      m.steps = [...closeLast(m.steps, at), ...(isStable(e.to) ? [] : [{ name: e.to, at }])];
      if (!isStable(e.to)) return;
      m.to = e.to;
      m.endedAt = at;
      this.active.delete(key);
      this.holdFrom.delete(id);
    });
  }

  private start(key: string, e: DecisionEvent, at: number): void {
    const id = this.nextId++;
    this.active.set(key, id);
    this.moves.set(id, {
      id,
      topic: e.topic,
      tenant: e.tenant,
      from: e.from,
      reason: e.reason,
      startedAt: at,
      steps: [{ name: e.to, at }],
      stuck: false,
    });
    for (const [old, m] of this.moves) {
      if (this.moves.size <= this.capacity) break;
      if (m.endedAt !== undefined) this.moves.delete(old);
    }
  }

  private onStep(e: StepEvent): void {
    const id = this.active.get(`${e.topic}/${e.tenant}`);
    if (id === undefined) return;
    const at = this.now();
    if (e.step === 'acks' && e.phase === 'start') this.holdFrom.set(id, at);
    this.update(id, (m) => {
      m.epoch = e.epoch;
      if (e.phase === 'start') m.steps = [...m.steps, { name: e.step, at, ...detailOf(e) }];
      if (e.phase === 'end') m.steps = m.steps.map((s) => (s.name === e.step ? { ...s, endedAt: at } : s));
      if (e.step === 'drain' && typeof e.detail?.['groups'] === 'number') m.groups = e.detail['groups'];
      if (e.step === 'drain' && typeof e.detail?.['remaining'] === 'number')
        m.remaining = e.detail['remaining'];
      const from = this.holdFrom.get(id);
      if (e.step === 'commit' && e.phase === 'end' && from !== undefined) m.holdMs = at - from;
    });
  }

  private update(id: number, f: (m: Mutable<MoveView>) => void): void {
    const m = this.moves.get(id);
    if (m === undefined) return;
    const copy: Mutable<MoveView> = { ...m };
    f(copy);
    this.moves.set(id, copy);
  }
}

const detailOf = (e: StepEvent): Pick<MoveStep, 'detail'> => (e.detail ? { detail: e.detail } : {});

/** Ends the last machine-state step (drain steps end with their own `end` event). */
const closeLast = (steps: readonly MoveStep[], at: number): MoveStep[] =>
  steps.map((s, i) => (i === lastStateIndex(steps) && s.endedAt === undefined ? { ...s, endedAt: at } : s));

const DRAIN_STEPS = new Set(['acks', 'fence', 'drain', 'commit']);
const lastStateIndex = (steps: readonly MoveStep[]): number => {
  for (let i = steps.length - 1; i >= 0; i--) if (!DRAIN_STEPS.has(steps[i]!.name)) return i;
  return -1;
};
