import { randomUUID } from 'node:crypto';
import { AssignerProtocol, type Consumer, type Kafka, type PartitionAssigner } from 'kafkajs';
import { BehaviorSubject, distinctUntilChanged, Subject, type Observable } from 'rxjs';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import type { Logger } from '../logger.js';
import { decodeElectionMetadata, encodeElectionMetadata } from './election-metadata.js';

export interface LeaderElectionOptions {
  /** a single-partition topic; whoever is assigned its partition 0 leads */
  readonly leaderTopic: string;
  readonly groupId: string;
  /** how fast a dead leader is noticed (the group's session timeout) */
  readonly sessionTimeoutMs: number;
  readonly logger: Logger;
  /** this instance's dashboard/API URL, told to the other members when it joins (checked already) */
  readonly advertisedUrl?: () => string | undefined;
}

/**
 * Kafka-native leader election: every controller joins one consumer group on a single-partition
 * topic; the member that owns the partition leads; each new assignment says who leads.
 */
export class LeaderElection {
  private readonly subject = new BehaviorSubject<boolean>(false);
  readonly leader$: Observable<boolean> = this.subject.pipe(distinctUntilChanged());
  private readonly assignments = new Subject<boolean>();
  /** every assignment (whether this member leads after it), also those that change nothing here */
  readonly assigned$: Observable<boolean> = this.assignments.asObservable();
  private readonly consumer: Consumer;
  readonly memberTag = randomUUID().slice(0, 8);
  private firstJoin: ((leads: boolean) => void) | undefined;
  private readonly joined = new Promise<boolean>((resolve) => (this.firstJoin = resolve));

  constructor(
    kafka: Kafka,
    private readonly o: LeaderElectionOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: o.groupId,
      partitionAssigners: [this.stickyLeaderAssigner()],
      sessionTimeout: o.sessionTimeoutMs,
      rebalanceTimeout: o.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(o.sessionTimeoutMs / 6)),
      // kafkajs heartbeats between fetches; an idle topic's fetch would otherwise wait 5 s and delay
      // noticing a rebalance (a dead leader) by as much.
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    const { GROUP_JOIN, CRASH, STOP } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      const owns = (e.payload.memberAssignment[o.leaderTopic] ?? []).includes(0);
      this.o.logger.info(
        { memberId: e.payload.memberId, leader: owns },
        owns ? 'became leader' : 'standing by',
      );
      this.subject.next(owns);
      this.assignments.next(owns);
      this.firstJoin?.(owns);
      this.firstJoin = undefined;
    });
    // A rebalance alone does not end leadership (a standby joining must not restart the leader): the
    // next assignment decides. Two leaders can overlap only for that instant, and route writes are
    // transactional with one transactional id, so the broker fences the older one's writes.
    for (const ev of [CRASH, STOP]) this.consumer.on(ev, () => this.subject.next(false));
  }

  /**
   * Leadership is sticky: each member says in its join metadata whether it leads now (and where its
   * dashboard is: election-metadata.ts), and the assignment keeps partition 0 with that member while
   * it is alive. Otherwise a standby joining
   * (round robin sorts members by id) could take leadership from a healthy leader mid-drain.
   */
  private stickyLeaderAssigner(): PartitionAssigner {
    const name = 'KtbStickyLeader';
    return () => ({
      name,
      version: 1,
      protocol: ({ topics }) => ({
        name,
        metadata: encodeElectionMetadata({
          topics,
          role: this.isLeader ? 'leader' : 'standby',
          url: this.o.advertisedUrl?.(),
        }),
      }),
      assign: async ({ members }) => {
        const leading = members.find((m) => decodeElectionMetadata(m.memberMetadata).role === 'leader');
        const chosen = leading?.memberId ?? members.map((m) => m.memberId).sort()[0];
        return members.map((m) => ({
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: m.memberId === chosen ? { [this.o.leaderTopic]: [0] } : {},
            userData: Buffer.alloc(0),
          }),
        }));
      },
    });
  }

  /** Whether this member leads after its first assignment; rejects after timeoutMs without one. */
  firstAssignment(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.joined,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new TenantBalancerError(
                ErrorCode.BrokerUnreachable,
                `no assignment from the controller group "${this.o.groupId}" within ${timeoutMs} ms; is the broker up?`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  get isLeader(): boolean {
    return this.subject.value;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.o.leaderTopic, fromBeginning: false });
    await this.consumer.run({ autoCommit: false, eachMessage: async () => undefined });
  }

  async stop(): Promise<void> {
    this.subject.next(false);
    await this.consumer.disconnect();
    this.subject.complete();
    this.assignments.complete();
  }
}
