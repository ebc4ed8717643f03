import { isStable } from '../app/state-name.js';

export interface MoveStart {
  readonly at: number;
  readonly tenant: string;
}

export interface PhaseMoves {
  readonly phase: string;
  /** moves started in the phase, every tenant */
  readonly moves: number;
  /** of those, the whale's */
  readonly whaleMoves: number;
}

/** A move starts when a tenant leaves a stable state (isolate, reshard or release). */
export const startsMove = (from: string, to: string): boolean => isStable(from) && !isStable(to);

/** Moves started in each phase ([from, to) in ms epoch), for the demo's summary and the benchmark. */
export function movesByPhase(
  starts: readonly MoveStart[],
  phases: readonly { readonly name: string; readonly from: number; readonly to: number }[],
  whale: string,
): PhaseMoves[] {
  return phases.map((p) => {
    const inPhase = starts.filter((s) => s.at >= p.from && s.at < p.to);
    return {
      phase: p.name,
      moves: inPhase.length,
      whaleMoves: inPhase.filter((s) => s.tenant === whale).length,
    };
  });
}

/** One step of a move, at a time relative to a reference (ms). */
export interface TimelineEntry {
  readonly atMs: number;
  readonly what: string;
}

/**
 * The transitions and protocol steps of one tenant's first move, with their times: where a move's
 * time goes (detection, reservation, announcement and acks, fence, consumers, commit).
 */
export class FirstMoveTimeline {
  private readonly entries: { at: number; what: string }[] = [];
  private done = false;

  constructor(private readonly tenant: string) {}

  transition(tenant: string, from: string, to: string, at: number): void {
    if (this.done || tenant !== this.tenant) return;
    if (this.entries.length === 0 && !startsMove(from, to)) return;
    this.entries.push({ at, what: `${from} -> ${to}` });
    if (isStable(to)) this.done = true;
  }

  step(tenant: string, step: string, phase: string, at: number): void {
    if (this.done || tenant !== this.tenant || this.entries.length === 0 || phase === 'progress') return;
    this.entries.push({ at, what: `${step} ${phase}` });
  }

  relativeTo(t0: number): TimelineEntry[] {
    return this.entries.map((e) => ({ atMs: e.at - t0, what: e.what }));
  }
}

export const formatTimeline = (t: readonly TimelineEntry[]): string =>
  t.map((e) => `${e.atMs} ${e.what}`).join(', ') || '-';
