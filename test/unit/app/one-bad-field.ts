import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.js';

/**
 * Near-valid configurations with exactly one bad field, for schemas validated with zod: every other
 * field is absent or valid, so the bad field's own validation is what rejects the input, and the
 * error must name that field.
 */

/** The JS kind a field accepts, to generate values of any other kind. */
export type Kind = 'number' | 'string' | 'boolean' | 'array' | 'object' | 'boolean|object' | 'auto|array';

export interface FieldSpec {
  /** path in the config, e.g. ['http', 'port'] */
  readonly path: readonly string[];
  readonly kind: Kind;
  readonly valid: fc.Arbitrary<unknown>;
  /** values of the right kind that the field refuses (out of range, bad pattern, not in the enum) */
  readonly outOfRange: fc.Arbitrary<unknown>;
  /** other fields a refinement may also name when this one is bad (e.g. windowMs >= tickMs) */
  readonly dependents?: readonly string[];
}

const accepts = (kind: Kind, v: unknown): boolean => {
  if (kind === 'array' || kind === 'auto|array')
    return Array.isArray(v) || (kind === 'auto|array' && v === 'auto');
  if (kind === 'object') return typeof v === 'object' && v !== null && !Array.isArray(v);
  if (kind === 'boolean|object')
    return typeof v === 'boolean' || (typeof v === 'object' && v !== null && !Array.isArray(v));
  return typeof v === kind;
};

/** Values of every kind but the field's (undefined excluded: an absent optional field is valid). */
export const wrongKind = (kind: Kind): fc.Arbitrary<unknown> =>
  fc
    .oneof(
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.constantFrom('1000', 'true', 'auto', ''),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
    )
    .filter((v) => !accepts(kind, v));

/** Integer fields: valid in [min, validMax]; refused below min, above max, fractional, NaN, infinite. */
export const intField = (
  path: readonly string[],
  min: number,
  max: number | undefined,
  opts: { validMin?: number; validMax?: number; dependents?: readonly string[] } = {},
): FieldSpec => ({
  path,
  kind: 'number',
  valid: fc.integer({ min: opts.validMin ?? min, max: opts.validMax ?? max ?? min + 1_000_000 }),
  outOfRange: fc.oneof(
    fc.integer({ min: min - 1_000_000, max: min - 1 }),
    ...(max === undefined ? [] : [fc.integer({ min: max + 1, max: max + 1_000_000 })]),
    fc.integer({ min, max: max ?? min + 1000 }).map((n) => n + 0.5),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  ),
  ...(opts.dependents ? { dependents: opts.dependents } : {}),
});

/** Real-valued fields: valid in [min, max] (or above `gt`), or [validMin, validMax]; refused outside, NaN, infinite. */
export const numField = (
  path: readonly string[],
  bounds: { min?: number; gt?: number; max?: number; validMin?: number; validMax?: number },
  dependents?: readonly string[],
): FieldSpec => {
  const lo = bounds.min ?? bounds.gt ?? 0;
  const validMin = bounds.validMin ?? (bounds.gt !== undefined ? bounds.gt + 1e-6 : lo);
  const validMax = bounds.validMax ?? bounds.max ?? lo + 1e6;
  return {
    path,
    kind: 'number',
    valid: fc.double({ min: validMin, max: validMax, noNaN: true }),
    outOfRange: fc.oneof(
      bounds.gt !== undefined
        ? fc.double({ min: lo - 1e6, max: lo, noNaN: true })
        : fc.double({ min: lo - 1e6, max: lo - 1e-6, noNaN: true }),
      ...(bounds.max === undefined
        ? []
        : [fc.double({ min: bounds.max + 1e-6, max: bounds.max + 1e6, noNaN: true })]),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    ),
    ...(dependents ? { dependents } : {}),
  };
};

export const boolField = (path: readonly string[]): FieldSpec => ({
  path,
  kind: 'boolean',
  valid: fc.boolean(),
  // a boolean has no range: spellings a person might write instead
  outOfRange: fc.constantFrom('true', 'false', 'yes', 0, 1),
});

export const enumField = (path: readonly string[], values: readonly string[]): FieldSpec => ({
  path,
  kind: 'string',
  valid: fc.constantFrom(...values),
  outOfRange: fc.oneof(
    fc.string().filter((s) => !values.includes(s)),
    fc
      .constantFrom(...values)
      .map((v) => v.toUpperCase())
      .filter((s) => !values.includes(s)),
  ),
});

/** Near misses of real keys (a typo, a plural) and names that live on Object.prototype. */
export const unknownKey = (known: readonly string[]): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/),
      fc.constantFrom(...known).map((k) => (k.endsWith('s') ? k.slice(0, -1) : `${k}s`)),
      fc.constantFrom(...known).map((k) => k.toLowerCase()),
      fc.constantFrom(...known).map((k) => k.toUpperCase()),
      fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'),
    )
    .filter((k) => !known.includes(k));

const clone = (v: unknown): unknown => (v === undefined ? undefined : structuredClone(v));

/** `base` with `value` at `path` (intermediate objects created, or copied so base is untouched). */
export const withField = (base: Record<string, unknown>, path: readonly string[], value: unknown) => {
  const out = clone(base) as Record<string, unknown>;
  let o = out;
  for (const k of path.slice(0, -1)) {
    const inner = o[k];
    const next = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : {};
    o[k] = next;
    o = next;
  }
  // defineProperty: a key named __proto__ must become an own key, not the prototype
  Object.defineProperty(o, path[path.length - 1]!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return out;
};

export const withoutField = (base: Record<string, unknown>, path: readonly string[]) => {
  const out = clone(base) as Record<string, unknown>;
  let o: Record<string, unknown> | undefined = out;
  for (const k of path.slice(0, -1)) {
    const inner: unknown = o?.[k];
    o = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : undefined;
  }
  if (o) delete o[path[path.length - 1]!];
  return out;
};

/**
 * The issues of a "<prefix>path: msg; path: msg" error. A message may itself hold "; " (e.g. "acks=-1
 * (all); set acks: -1 ..."), so an issue starts only where "; " is followed by a path without spaces.
 */
const issuesOf = (message: string, prefix: string): string[] => {
  expect(message.startsWith(prefix), message).toBe(true);
  return message.slice(prefix.length).split(/; (?=[\w.()]+: )/);
};

export const issuePaths = (message: string, prefix: string): string[] =>
  issuesOf(message, prefix).map((issue) => issue.slice(0, issue.indexOf(': ')));

/** Calls parse, expecting a ConfigInvalid error; returns its message. */
export const rejection = (parse: () => unknown): string => {
  let thrown: unknown;
  try {
    parse();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'the input was accepted').toBeInstanceOf(Error);
  expect((thrown as { code?: string }).code).toBe(ErrorCode.ConfigInvalid);
  return (thrown as Error).message;
};

/** The error names the field (or an element of it), and nothing else but declared dependents. */
export const expectNamesField = (message: string, prefix: string, spec: FieldSpec): void => {
  const field = spec.path.join('.');
  const paths = issuePaths(message, prefix);
  const ownPath = (p: string) => p === field || p.startsWith(`${field}.`);
  expect(paths.some(ownPath), `${message} names ${field}`).toBe(true);
  for (const p of paths)
    expect(ownPath(p) || (spec.dependents ?? []).includes(p), `${message}: ${p} is not ${field}`).toBe(true);
};

/** The error says the unknown key, at the object that holds it, and nothing else. */
export const expectNamesUnknownKey = (message: string, prefix: string, holder: string, key: string): void => {
  const issues = issuesOf(message, prefix);
  expect(issues, message).toEqual([`${holder}: Unrecognized key: ${JSON.stringify(key)}`]);
};

/**
 * The two properties every field gets: with exactly this field out of range, or of the wrong type,
 * in an otherwise valid input, `parse` must fail naming it.
 */
export function itRejectsTheBadField(
  base: fc.Arbitrary<Record<string, unknown>>,
  field: FieldSpec,
  parse: (input: unknown) => unknown,
  prefix: string,
): void {
  const check = (bad: fc.Arbitrary<unknown>) =>
    fc.assert(
      fc.property(base, bad, (valid, value) => {
        const input = withField(withoutField(valid, field.path), field.path, value);
        expectNamesField(
          rejection(() => parse(input)),
          prefix,
          field,
        );
      }),
      { numRuns: 40 },
    );
  it('rejects an out-of-range value, naming the field', () => check(field.outOfRange));
  it('rejects a value of the wrong type, naming the field', () => check(wrongKind(field.kind)));
}
