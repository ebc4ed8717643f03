import type { InspectionEvent } from 'xstate';
import type { Logger } from '../adapters/logger.js';
import type { CheckerReport } from '../domain/ordering-checker.js';
import type { AvroSummary } from './avro-values.js';
import type { HoldSummary } from './hold-summary.js';
import type { PhaseLatency } from './latency-stats.js';
import type { PhaseLoad } from './process-load.js';
import type { PhaseMoves, TimelineEntry } from './moves-by-phase.js';

/** The demo's scenario: what it is asked to run, what it reports, and the whale's script. */
export interface DemoOptions {
  readonly durationSec: number;
  readonly tenants: number;
  readonly whaleRate: number;
  readonly controller: 'in-process' | 'none' | 'external';
  readonly ui: boolean;
  readonly inspect?: ((e: InspectionEvent) => void) | undefined;
  readonly logger: Logger;
  readonly httpPort?: number;
  /** per-record processing cost (µs): each partition's consumers handle 1e6/cost records/s */
  readonly costMicros?: number;
  /** use this managed topic (created when missing) instead of a fresh demo-<id> topic */
  readonly topic?: string | undefined;
  /** the consumer group consumes through the ordered consumer (consumer-gated moves); default true */
  readonly gatedConsumers?: boolean;
  /** write the records as Avro through the schema registry, and decode them back by schema id */
  readonly avro?: boolean;
}

export interface DemoSummary {
  readonly topic: string;
  readonly controller: DemoOptions['controller'];
  readonly migrations: number;
  /** moves started in each of the whale's phases (before, spike, peak, after) */
  readonly movesByPhase: PhaseMoves[];
  /** the whale's first move, step by step, in ms after its spike began */
  readonly firstMove: TimelineEntry[];
  readonly transitions: string[];
  readonly produced: number;
  readonly consumed: number;
  readonly lost: number;
  readonly sendFailures: number;
  readonly checker: CheckerReport;
  /** how long moves held records, in the producers and in the (gated) consumers */
  readonly holds: HoldSummary;
  readonly smallTenantLatency: PhaseLatency[];
  /** the demo process's CPU and event-loop delay per phase (it runs controller, producer and consumers) */
  readonly processLoad: PhaseLoad[];
  /** when the whale's spike began, and when its route first flipped to dedicated partitions (ms epoch) */
  readonly spikeStartAt: number;
  readonly firstFlipAt: number | undefined;
  /** with `avro`: the registry, and the values the consumer decoded by schema id (or failed to) */
  readonly avro?: AvroSummary;
}

export const SHARED = 4;
export const DEDICATED = 8;
export const WHALE = 'whale';
/** how long into the peak the whale's window rate has settled and one grow cooldown has passed */
export const STEADY_AFTER_MS = 5000;
export const SHARD_KEYS = Array.from({ length: 16 }, (_, i) => `user-${i}`);

/** The whale's script: quiet, hot, bigger than one partition, cool (fractions of the duration). */
export const phases = (start: number, durationMs: number, whaleRate: number) => {
  const at = (f: number) => start + Math.round(durationMs * f);
  return [
    { name: 'before', from: at(0), to: at(0.15), whale: Math.max(5, Math.round(whaleRate * 0.01)) },
    { name: 'spike', from: at(0.15), to: at(0.35), whale: Math.round(whaleRate * 0.3) },
    { name: 'peak', from: at(0.35), to: at(0.55), whale: whaleRate },
    { name: 'after', from: at(0.55), to: at(1), whale: 2 },
  ];
};
