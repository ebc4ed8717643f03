import { useEffect, useState } from 'preact/hooks';
import type { MachineGraph, TenantRow } from '../app/dashboard/view-model.js';
import { CommandPanel } from './command-panel.js';
import { MachineDiagram } from './machine-diagram.js';
import { MovesTimeline } from './moves-timeline.js';
import { useLive } from './store.js';
import { TenantsTable } from './tenants-table.js';
import { TopicView } from './topic-view.js';

const useMachine = (): MachineGraph | undefined => {
  const [g, setG] = useState<MachineGraph>();
  useEffect(() => {
    void fetch('/dashboard/machine')
      .then((r) => r.json() as Promise<MachineGraph>)
      .then(setG, () => undefined);
  }, []);
  return g;
};

export function App() {
  const live = useLive();
  const machine = useMachine();
  const [selected, setSelected] = useState<string>();
  const s = live.snapshot;
  const row: TenantRow | undefined = s?.tenants.find((t) => t.key === selected);
  const topics = s?.topics.map((t) => t.topic) ?? [];
  return (
    <div class="page">
      <header class="bar">
        <h1>tenant-balancer</h1>
        <span class={`badge conn-${live.connection}`} data-testid="connection">
          {live.connection}
        </span>
        {s && (
          <span class={`badge role-${s.role.role}`} data-testid="role">
            {s.role.role === 'standby' ? (
              <>
                standby (leader: <LeaderLink url={s.role.leader} />)
              </>
            ) : (
              'leader'
            )}
          </span>
        )}
        {s && <span class="badge">mode: {s.role.mode}</span>}
        {s && <span class="muted">{s.tenants.length} tenants</span>}
      </header>
      {s === undefined ? (
        <p class="muted">connecting to the controller…</p>
      ) : (
        <>
          {s.topics.map((t) => (
            <TopicView key={t.topic} topic={t} />
          ))}
          <div class="columns">
            <section class="panel grow">
              <h2>Tenants</h2>
              <TenantsTable rows={s.tenants} selected={selected} onSelect={setSelected} />
            </section>
            <section class="panel side">
              <h2>{row ? `Tenant ${row.tenant}` : 'Tenant'}</h2>
              {row && <TenantDetail row={row} />}
              {machine && <MachineDiagram graph={machine} state={row?.state} />}
              <CommandPanel topics={topics} tenant={row?.tenant} topic={row?.topic} />
            </section>
          </div>
          <MovesTimeline moves={s.moves} now={s.at} />
        </>
      )}
    </div>
  );
}

/**
 * The leader's address as a link. The server checked it (an http(s) URL read from the election
 * group), and preact renders it as text; an href that is not http(s) is still never made a link.
 */
function LeaderLink({ url }: { url: string | undefined }) {
  if (url === undefined) return <span data-testid="leader">unknown</span>;
  if (!/^https?:\/\//i.test(url)) return <span data-testid="leader">{url}</span>;
  return (
    <a href={url} rel="noopener noreferrer" data-testid="leader">
      {url}
    </a>
  );
}

function TenantDetail({ row }: { row: TenantRow }) {
  return (
    <dl class="detail" data-testid="tenant-detail">
      <dt>state</dt>
      <dd>{row.state}</dd>
      <dt>route</dt>
      <dd>
        [{row.partitions.join(', ')}] epoch {row.epoch} ({row.ordering}
        {row.manual ? ', manual' : ''})
      </dd>
      <dt>last decision</dt>
      <dd>
        {row.decision
          ? `${row.decision.shadow ? '(shadow) ' : ''}${row.decision.from} → ${row.decision.to}: ${row.decision.reason}`
          : '-'}
      </dd>
    </dl>
  );
}
