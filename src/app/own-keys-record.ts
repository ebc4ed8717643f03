import { z } from 'zod';

/**
 * `z.record` that refuses a key named `__proto__`. Zod drops such a key without an issue (it guards
 * the prototype), so a config file with `"tenants": {"__proto__": {...}}` (JSON.parse makes it an own
 * key) or a topic named `__proto__` would lose its entry silently. Here it is an error that says so.
 */
export function ownKeysRecord<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V) {
  return z
    .unknown()
    .superRefine((v, ctx) => {
      if (typeof v === 'object' && v !== null && Object.hasOwn(v, '__proto__'))
        ctx.addIssue({
          code: 'custom',
          message: '"__proto__" cannot be a key here (it would be ignored); rename or remove that entry',
        });
    })
    .pipe(z.record(key, value));
}
