import { describe, expect, it } from 'vitest';
import { ProcessLoad } from '../../../src/demo/process-load.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the demo process load sampler', () => {
  it('tells a phase that blocked the event loop on CPU from an idle one', async () => {
    const load = new ProcessLoad();
    const t0 = Date.now();
    await idle(800);
    const t1 = Date.now();
    // three 300 ms blocks, the sampler's interval firing late after each
    for (let i = 0; i < 3; i++) {
      busy(300);
      await idle(30);
    }
    await idle(300);
    const t2 = Date.now();
    load.stop();
    const [quiet, blocked] = load.byPhase([
      { name: 'idle', from: t0, to: t1 },
      { name: 'blocked', from: t1, to: t2 },
    ]);
    expect(quiet!.phase).toBe('idle');
    // each block delays the loop by its full 300 ms of wall time, however busy the machine is
    expect(blocked!.loopDelayP99Ms).toBeGreaterThanOrEqual(250);
    // relative, so a loaded CI machine (which slows both) cannot make it flaky
    expect(quiet!.loopDelayP99Ms).toBeLessThan(blocked!.loopDelayP99Ms / 2);
    expect(blocked!.cpuPercent).toBeGreaterThan(quiet!.cpuPercent + 20);
  });

  it('reports zeros for a phase with no sample', () => {
    const load = new ProcessLoad();
    load.stop();
    expect(load.byPhase([{ name: 'none', from: 0, to: 1 }])).toEqual([
      { phase: 'none', cpuPercent: 0, loopDelayP99Ms: 0 },
    ]);
  });
});
