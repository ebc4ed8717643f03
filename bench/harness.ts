import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/adapters/local-process/package-root.js';

export interface BenchRow {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** The same-run baseline this row is compared with, if any. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** Target on value/baseline (or on value when no baseline), e.g. "<= 0.25". */
  readonly target?: { readonly op: '<=' | '>='; readonly bound: number; readonly on: 'ratio' | 'value' };
}

export interface BenchResult {
  readonly name: string;
  readonly title: string;
  readonly date: string;
  readonly machine: string;
  readonly rows: readonly BenchRow[];
  readonly notes: readonly string[];
}

export const ratio = (r: BenchRow): number | undefined =>
  r.baseline ? r.value / r.baseline.value : undefined;
export const met = (r: BenchRow): boolean | undefined => {
  if (!r.target) return undefined;
  const v = r.target.on === 'ratio' ? ratio(r) : r.value;
  if (v === undefined) return undefined;
  return r.target.op === '<=' ? v <= r.target.bound : v >= r.target.bound;
};

export const machineInfo = (): string =>
  `${cpus().length} x ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;

export const progress = (msg: string): void => {
  process.stderr.write(`[bench] ${msg}\n`);
};

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export { percentile } from '../src/domain/percentile.js';

const fmt = (n: number | undefined): string =>
  n === undefined || Number.isNaN(n)
    ? '-'
    : Math.abs(n) >= 100
      ? n.toFixed(0)
      : Math.abs(n) >= 1
        ? n.toFixed(2)
        : n.toFixed(3);

export function renderTable(r: BenchResult): string {
  const lines = [
    `### ${r.title}`,
    '',
    `Run ${r.date} on ${r.machine}. Written by \`npm run bench -- ${r.name}\`.`,
    '',
    '| metric | value | baseline (same run) | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.rows.map((row) => {
      const target = row.target
        ? `${row.target.on === 'ratio' ? 'ratio' : 'value'} ${row.target.op} ${row.target.bound}`
        : '-';
      const m = met(row);
      return `| ${row.metric} | ${fmt(row.value)} ${row.unit} | ${row.baseline ? `${row.baseline.name}: ${fmt(row.baseline.value)} ${row.unit}` : '-'} | ${fmt(ratio(row))} | ${target} | ${m === undefined ? '-' : m ? 'yes' : '**no**'} |`;
    }),
    '',
    ...r.notes.map((n) => `- ${n}`),
    '',
  ];
  return lines.join('\n');
}

/** Saves the JSON and rewrites this bench's section of docs/benchmarks.md between its markers. */
export function publish(r: BenchResult): void {
  const root = packageRoot();
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${r.name}.json`), JSON.stringify(r, null, 2) + '\n');
  const doc = join(root, 'docs', 'benchmarks.md');
  const text = existsSync(doc) ? readFileSync(doc, 'utf8') : '# Benchmarks\n';
  const begin = `<!-- bench:${r.name} -->`;
  const end = `<!-- /bench:${r.name} -->`;
  const section = `${begin}\n${renderTable(r)}${end}`;
  const re = new RegExp(`${begin}[\\s\\S]*?${end}`);
  writeFileSync(doc, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
  process.stdout.write(renderTable(r) + '\n');
}
