import type { Admin } from 'kafkajs';
import type { Observable, Subscription } from 'rxjs';
import type { GateAnnouncement } from '../../domain/gate-records.js';
import type { GatesPort } from '../../ports/controller-ports.js';

/** Members remembered per group: a group of more is a forged flood, not a deployment. */
const MAX_MEMBERS_PER_GROUP = 10_000;
const MAX_GROUPS = 10_000;

/**
 * The gated groups, from the ordered consumers' announcements checked against the broker's view of
 * each group. An announcement alone proves nothing (anyone allowed to write the acks topic can send
 * one), so a group is gated only while every member the broker lists for it announced the topic: a
 * plain consumer in the group (a rollout half done, a forged announcement for a member that does not
 * exist) makes the whole group stop-and-wait again. An empty group (it is down) stays gated if it
 * announced before and had no unannounced member when last seen with members.
 */
export class GatedGroups implements GatesPort {
  private readonly announced = new Map<string, Map<string, ReadonlySet<string>>>();
  /** groups seen with a member that never announced (per topic): not gated until seen clean again */
  private readonly mixed = new Map<string, Set<string>>();
  private readonly sub: Subscription;

  constructor(
    private readonly admin: Pick<Admin, 'describeGroups'>,
    gates$: Observable<GateAnnouncement>,
  ) {
    this.sub = gates$.subscribe((g) => this.note(g));
  }

  private note(g: GateAnnouncement): void {
    let members = this.announced.get(g.group);
    if (members === undefined) {
      if (this.announced.size >= MAX_GROUPS) return;
      this.announced.set(g.group, (members = new Map()));
    }
    if (!members.has(g.memberId) && members.size >= MAX_MEMBERS_PER_GROUP) return;
    members.set(g.memberId, new Set(g.topics));
  }

  async gated(topic: string, groups: readonly string[]): Promise<ReadonlySet<string>> {
    const candidates = groups.filter((g) => this.announced.has(g));
    if (candidates.length === 0) return new Set();
    const described = await this.admin.describeGroups(candidates);
    const out = new Set<string>();
    for (const d of described.groups) {
      const members = this.announced.get(d.groupId)!;
      const anyForTopic = [...members.values()].some((t) => t.has(topic));
      let mixed = this.mixed.get(d.groupId);
      if (d.members.length > 0) {
        const clean = d.members.every((m) => members.get(m.memberId)?.has(topic) === true);
        if (mixed === undefined) this.mixed.set(d.groupId, (mixed = new Set()));
        if (clean) mixed.delete(topic);
        else mixed.add(topic);
        if (clean) out.add(d.groupId);
      } else if (anyForTopic && mixed?.has(topic) !== true) out.add(d.groupId);
    }
    return out;
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}
