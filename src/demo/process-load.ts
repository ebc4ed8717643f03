import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile } from '../domain/percentile.js';

/** How busy the demo's own process was in a phase: it runs the controller, producer and consumers. */
export interface PhaseLoad {
  readonly phase: string;
  /** CPU time over wall time, in % of one core (user + system) */
  readonly cpuPercent: number;
  /** the 99th percentile of the sampled event-loop delays, ms: how late a ready callback ran */
  readonly loopDelayP99Ms: number;
}

const SAMPLE_MS = 250;

/**
 * Samples the process every 250 ms: CPU time used and the event loop's worst delay in that slice
 * (perf_hooks), so a phase's latency can be told apart from a process that was simply saturated.
 */
export class ProcessLoad {
  private readonly samples: { at: number; cpuMs: number; wallMs: number; delayMs: number }[] = [];
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly timer: NodeJS.Timeout;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor(private readonly now: () => number = Date.now) {
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  private sample(): void {
    const cpu = process.cpuUsage(this.lastCpu);
    const at = performance.now();
    this.samples.push({
      at: this.now(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: at - this.lastAt,
      delayMs: this.histogram.max / 1e6,
    });
    this.histogram.reset();
    this.lastCpu = process.cpuUsage();
    this.lastAt = at;
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  /** Per phase: CPU % of one core, and the p99 of the slices' worst loop delays. */
  byPhase(phases: readonly { name: string; from: number; to: number }[]): PhaseLoad[] {
    return phases.map((ph) => {
      const xs = this.samples.filter((s) => s.at > ph.from && s.at <= ph.to);
      const cpu = xs.reduce((a, s) => a + s.cpuMs, 0);
      const wall = xs.reduce((a, s) => a + s.wallMs, 0);
      return {
        phase: ph.name,
        cpuPercent: wall > 0 ? Math.round((100 * cpu) / wall) : 0,
        loopDelayP99Ms:
          xs.length > 0
            ? Math.round(
                percentile(
                  xs.map((s) => s.delayMs),
                  99,
                ),
              )
            : 0,
      };
    });
  }
}
