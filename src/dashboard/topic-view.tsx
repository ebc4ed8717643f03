import type { TopicView as Topic } from '../app/dashboard/view-model.js';
import { fmtRate } from './format.js';
import { RateChart } from './rate-chart.js';

/** Each partition as a bar (records/s; lag below), shared pool first, with the tenants on it. */
export function TopicView({ topic }: { topic: Topic }) {
  const max = Math.max(1, ...topic.partitions.map((p) => p.rate));
  return (
    <section class="panel">
      <h2>
        Topic <span class="mono">{topic.topic}</span>
      </h2>
      <div class="partitions" data-testid="partitions">
        {topic.partitions.map((p) => (
          <div class={`partition pool-${p.pool}`} key={p.partition} data-partition={p.partition}>
            <div class="bar-box">
              <div class="bar-fill" style={{ height: `${(100 * p.rate) / max}%` }} />
            </div>
            <div class="p-label">
              p{p.partition} <span class="muted">{p.pool}</span>
            </div>
            <div class="p-figs">{fmtRate(p.rate)}/s</div>
            <div class={`p-figs ${p.lag > 1000 ? 'hot' : ''}`}>lag {p.lag}</div>
            {p.pool === 'shared' && <div class="p-figs muted">{p.tenantCount} tenants</div>}
            <ul class="p-tenants">
              {p.tenants.map((t) => (
                <li key={t.tenant} title={`${t.tenant}: ${fmtRate(t.rate)}/s`}>
                  {t.tenant} <span class="muted">{fmtRate(t.rate)}</span>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
      <RateChart topic={topic.topic} />
    </section>
  );
}
