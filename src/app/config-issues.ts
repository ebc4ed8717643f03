import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/**
 * Zod reports a failed union (e.g. `ssl: true | {caFile, ...}`) as one "Invalid input" at the
 * union's path, which names no field. When exactly one branch matched the value's type (its issues
 * are not a type mismatch at the union itself), that branch's issues say which field is wrong.
 */
export function fieldIssues(
  issues: readonly Issue[],
  prefix: readonly PropertyKey[] = [],
): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((i) => {
    const path = [...prefix, ...i.path];
    if (i.code === 'invalid_union') {
      const matched = i.errors.filter(
        (branch) => !branch.some((b) => b.code === 'invalid_type' && b.path.length === 0),
      );
      if (matched.length === 1) return fieldIssues(matched[0]!, path);
    }
    return [{ path, message: i.message }];
  });
}

/** `a.b: message; c: message` for a config error. */
export const describeIssues = (issues: readonly Issue[], root = '(config)'): string =>
  fieldIssues(issues)
    .map((i) => `${i.path.map(String).join('.') || root}: ${i.message}`)
    .join('; ');
