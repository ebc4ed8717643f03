import type { Admin, Kafka } from 'kafkajs';
import { LeaderElection } from '../adapters/kafka/leader-election.js';
import { LeaderLocator } from '../adapters/kafka/leader-locator.js';
import type { Logger } from '../adapters/logger.js';
import type { ControllerConfig } from '../app/controller-config.js';
import { ensureLeaderTopic } from './service-parts.js';

/** After a rebalance, a standby asks who leads every second, five times at most, until one does. */
const LOCATE = { refreshMs: 10_000, retryMs: 1000, retries: 5 };

export interface ElectionWiring {
  readonly election: LeaderElection;
  /** this instance's advertised URL while it leads, else the leader's as the group tells it (undefined: unknown) */
  readonly leaderUrl: () => string | undefined;
  /** stops looking for the leader (the election itself stops with election.stop()) */
  stopLocating(): void;
}

/**
 * The election every instance joins (src/adapters/kafka/leader-election.ts), telling the others
 * its advertised URL, and, while it stands by, where the leader is: looked up after each rebalance
 * this member takes part in (a new leader always makes one) and when read, at most every 10 s.
 */
export async function joinElection(o: {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly config: ControllerConfig;
  readonly log: Logger;
  readonly advertisedUrl: () => string | undefined;
}): Promise<ElectionWiring> {
  const leaderTopic = `${o.config.routingTopic}.leader`;
  const groupId = `ktb-leader-${o.config.routingTopic}`;
  await ensureLeaderTopic(o.admin, leaderTopic);
  const election = new LeaderElection(o.kafka, {
    leaderTopic,
    groupId,
    sessionTimeoutMs: o.config.leaderSessionMs,
    logger: o.log,
    advertisedUrl: o.advertisedUrl,
  });
  const locator = new LeaderLocator(o.admin, { groupId, leaderTopic, logger: o.log, ...LOCATE });
  election.assigned$.subscribe((leads) => leads || locator.afterRebalance());
  return {
    election,
    leaderUrl: () => (election.isLeader ? o.advertisedUrl() : locator.leaderUrl()),
    stopLocating: () => locator.stop(),
  };
}
