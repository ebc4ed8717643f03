import type { Admin } from 'kafkajs';
import type { Logger } from '../logger.js';
import { assignmentHolds, decodeElectionMetadata } from './election-metadata.js';

export type LeaderLookup =
  { readonly found: false } | { readonly found: true; readonly url: string | undefined };

/** The parts of a described group (kafkajs `describeGroups`) the lookup reads. */
export interface DescribedGroup {
  readonly members: readonly { readonly memberMetadata: Buffer; readonly memberAssignment: Buffer }[];
}

/**
 * Who leads, from the election group as the broker describes it: the one member whose assignment
 * holds partition 0 of the leader topic, and the URL it advertised when it joined (undefined: an
 * older controller, or a value that failed the checks). Not found while the group rebalances (no
 * assignments yet), or when the bytes claim more than one leader.
 */
export function leaderOfGroup(g: DescribedGroup, leaderTopic: string): LeaderLookup {
  const holders = g.members.filter((m) => assignmentHolds(m.memberAssignment, leaderTopic, 0));
  if (holders.length !== 1) return { found: false };
  return { found: true, url: decodeElectionMetadata(holders[0]!.memberMetadata).url };
}

export interface LeaderLocatorOptions {
  readonly groupId: string;
  readonly leaderTopic: string;
  readonly logger: Logger;
  /** a read of leaderUrl() asks the broker again when the last answer is older than this */
  readonly refreshMs: number;
  /** after a rebalance, how often and how many times to ask again while no leader is assigned */
  readonly retryMs: number;
  readonly retries: number;
}

/**
 * Where the leader is, for a standby: one DescribeGroups of the election group after each
 * rebalance this member takes part in (a new leader always means one), and, while someone reads
 * it (a dashboard open on a standby, /healthz), at most once per refreshMs. Never hot, never throws.
 */
export class LeaderLocator {
  private url: string | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private asked = 0;
  private applied = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly admin: Admin,
    private readonly o: LeaderLocatorOptions,
  ) {}

  /** The leader's advertised URL as last seen (undefined: unknown). */
  leaderUrl(): string | undefined {
    if (!this.stopped && Date.now() - this.checkedAt >= this.o.refreshMs) void this.lookup();
    return this.url;
  }

  /** Asks now, and again every retryMs (at most `retries` times) until one member holds the lead. */
  afterRebalance(): void {
    clearTimeout(this.retryTimer);
    let left = this.o.retries;
    const attempt = async (): Promise<void> => {
      if (this.stopped || (await this.lookup()) || left-- <= 0 || this.stopped) return;
      this.retryTimer = setTimeout(() => void attempt(), this.o.retryMs);
      this.retryTimer.unref();
    };
    void attempt();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  /** One DescribeGroups; an answer older than one already applied is dropped (lookups may overlap). */
  private async lookup(): Promise<boolean> {
    const seq = ++this.asked;
    this.checkedAt = Date.now();
    let r: LeaderLookup = { found: false };
    try {
      const { groups } = await this.admin.describeGroups([this.o.groupId]);
      const g = groups.find((x) => x.groupId === this.o.groupId);
      if (g !== undefined) r = leaderOfGroup(g, this.o.leaderTopic);
    } catch (e) {
      this.o.logger.debug(
        { err: String(e), groupId: this.o.groupId },
        'could not describe the election group',
      );
    }
    if (!r.found || seq < this.applied) return r.found;
    this.applied = seq;
    if (r.url !== this.url)
      this.o.logger.info({ leader: r.url ?? 'unknown' }, 'standing by; the leader advertises this address');
    this.url = r.url;
    return true;
  }
}
