/** The stable states: a transition out of one of them starts a move. */
const STABLE = new Set(['shared', 'dedicated', 'sharded']);

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
export const startsMove = (from: string, to: string): boolean => STABLE.has(from) && !STABLE.has(to);

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
