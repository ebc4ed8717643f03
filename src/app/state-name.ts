import type { StateValue } from 'xstate';

/** "draining.waiting" for nested states, the plain name otherwise. */
export const stateName = (v: StateValue): string =>
  typeof v === 'string'
    ? v
    : (Object.entries(v).map(([k, sub]) =>
        sub === undefined ? k : `${k}.${stateName(sub as StateValue)}`,
      )[0] ?? '');

const STABLE = new Set(['shared', 'dedicated', 'sharded']);
/** A tenant in one of these states is not moving. */
export const isStable = (state: string): boolean => STABLE.has(state);
