import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, TenantBalancerError, isTenantBalancerError } from '../../../src/domain/errors.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const sources = (dir: string): { file: string; text: string }[] =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(root, dir, f), 'utf8') }));

const files = [...sources('src'), ...sources('machines')].filter(
  (f) => f.file !== join('src', 'domain', 'errors.ts'),
);
const names = (text: string, re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1]!);

/**
 * The rule that tells an environment variable from a code: a KTB_ name is an environment variable when
 * the source reads it from an environment, as `env['KTB_X']`, `env["KTB_X"]` or `env.KTB_X` (process.env
 * or an env record passed in). Every other KTB_ name in src/ and machines/ (string literals, log fields,
 * messages, comments) is a code and must be in the registry.
 */
const envVars = new Set(
  files.flatMap(({ text }) => [
    ...names(text, /\benv\[\s*['"`](KTB_[A-Z0-9_]+)['"`]\s*\]/g),
    ...names(text, /\benv\.(KTB_[A-Z0-9_]+)/g),
  ]),
);

const registry = new Set<string>(Object.values(ErrorCode));
const codesIn = (text: string): string[] =>
  names(text, /\b(KTB_[A-Z0-9_]*[A-Z0-9])\b/g).filter((name) => !envVars.has(name));

describe('ErrorCode registry', () => {
  it('holds every KTB_ code that src/ and machines/ raise or log (environment variable names aside)', () => {
    const used = new Map<string, string>();
    for (const { file, text } of files)
      for (const name of codesIn(text)) if (!used.has(name)) used.set(name, file);
    const missing = [...used].filter(([name]) => !registry.has(name)).map(([n, f]) => `${n} (${f})`);
    expect(missing, 'add these codes to ErrorCode in src/domain/errors.ts, with their meaning').toEqual([]);
  });

  it('scans the whole source tree, and finds codes in literals, log fields and messages', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => f.file.startsWith('machines'))).toBe(true);
    const sample = [
      "log.warn({ code: 'KTB_SOMETHING_NEW' }, 'x');",
      'throw new Error(`KTB_IN_A_MESSAGE: no`);',
      "const port = process.env['KTB_KAFKA_PORT'];",
      'KTB_ (a bare prefix is no code)',
    ].join('\n');
    expect(codesIn(sample)).toEqual(['KTB_SOMETHING_NEW', 'KTB_IN_A_MESSAGE']);
  });

  it('tells environment variables by how they are read, so KTB_KAFKA_PORT is not taken for a code', () => {
    expect(envVars).toContain('KTB_KAFKA_PORT');
    expect(envVars).toContain('KTB_ROUTING_TOPIC');
    expect(registry.has('KTB_KAFKA_PORT')).toBe(false);
  });

  it('gives every code a distinct KTB_ value', () => {
    const values = Object.values(ErrorCode);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^KTB_[A-Z0-9_]+$/);
  });

  it('puts the code in front of the message and lets callers match it', () => {
    const e = new TenantBalancerError(ErrorCode.TenantBusy, 'tenant "t" is draining; retry');
    expect(e.message).toBe('KTB_TENANT_BUSY: tenant "t" is draining; retry');
    expect(isTenantBalancerError(e, ErrorCode.TenantBusy)).toBe(true);
    expect(isTenantBalancerError(e, ErrorCode.ConfigInvalid)).toBe(false);
  });
});
