import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/adapters/logger.js';
import { formatSummary } from '../../../src/cli/demo-command.js';
import { runDemo, type DemoSummary } from '../../../src/demo/run-demo.js';
import { brokers } from '../helpers/kafka.js';

describe('demo scenario, headless, on the real broker', () => {
  let summary: DemoSummary;
  const saved = process.env['KAFKA_BROKERS'];

  beforeAll(async () => {
    process.env['KAFKA_BROKERS'] = brokers().join(',');
    summary = await runDemo(
      {
        durationSec: 40,
        tenants: 12,
        whaleRate: 2400,
        controller: 'in-process',
        ui: false,
        logger: silentLogger(),
      },
      new AbortController().signal,
    );
  }, 150_000);
  afterAll(() => {
    if (saved === undefined) delete process.env['KAFKA_BROKERS'];
    else process.env['KAFKA_BROKERS'] = saved;
  });

  it('isolated the whale and released it again', () => {
    expect(summary.transitions.some((t) => /whale: shared -> isolating/.test(t))).toBe(true);
    expect(summary.transitions.some((t) => /whale: committing -> (dedicated|sharded)/.test(t))).toBe(true);
    expect(summary.transitions.some((t) => /whale: committing -> shared/.test(t))).toBe(true);
    expect(summary.migrations).toBeGreaterThanOrEqual(2);
  });

  it('saw 0 ordering violations and 0 gaps, and its summary matches the checker', () => {
    expect(summary.checker.violations).toBe(0);
    expect(summary.checker.gaps).toBe(0);
    expect(summary.sendFailures).toBe(0);
    expect(summary.lost).toBe(0);
    expect(summary.consumed).toBe(summary.checker.records);
    expect(summary.produced).toBe(summary.checker.records - summary.checker.duplicates);
    expect(summary.smallTenantLatency.map((p) => p.phase)).toEqual([
      'before spike',
      'during spike',
      'after spike',
      'spike phase',
      'peak phase',
    ]);
    expect(summary.smallTenantLatency.every((p) => p.samples > 0)).toBe(true);
  });

  it('reports the producer hold of every move and what the gated consumers held', () => {
    expect(summary.holds.producer.count).toBeGreaterThanOrEqual(1);
    expect(summary.holds.producer.count).toBeLessThanOrEqual(summary.migrations);
    const text = formatSummary(summary);
    expect(text).toMatch(/producer holds: +\d+ moves, p50 \d+ ms, p99 \d+ ms/);
    expect(text).toMatch(/consumer holds: +\d+ holds/);
    // the demo's group consumes through the ordered consumer by default: it held the moved whale
    expect(summary.holds.consumer.count).toBeGreaterThanOrEqual(1);
  });
});
