import type { MoveView } from '../app/dashboard/view-model.js';
import { fmtMs, fmtTime } from './format.js';

const SHOWN = 30;

/** Recent moves, newest first: each step as a segment of the move's duration, live while it runs. */
export function MovesTimeline({ moves, now }: { moves: readonly MoveView[]; now: number }) {
  const recent = [...moves].reverse().slice(0, SHOWN);
  return (
    <section class="panel">
      <h2>Moves</h2>
      {recent.length === 0 && <p class="muted">no move since this controller started</p>}
      <ol class="moves" data-testid="moves">
        {recent.map((m) => (
          <Move key={m.id} m={m} now={now} />
        ))}
      </ol>
    </section>
  );
}

function Move({ m, now }: { m: MoveView; now: number }) {
  const end = m.endedAt ?? now;
  const total = Math.max(1, end - m.startedAt);
  const states = m.steps.filter((s) => !['acks', 'fence', 'drain', 'commit'].includes(s.name));
  const drainSteps = m.steps.filter((s) => ['acks', 'fence', 'drain', 'commit'].includes(s.name));
  const running = m.endedAt === undefined;
  return (
    <li class={`move ${running ? 'running' : ''} ${m.stuck ? 'stuck' : ''}`} data-tenant={m.tenant}>
      <div class="move-head">
        <span class="mono">{m.tenant}</span> {m.from} → {m.to ?? '…'}
        {m.stuck && <span class="badge stuck-badge">stuck: drain past its timeout</span>}
        <span class="muted">
          {' '}
          {fmtTime(m.startedAt)} · {running ? 'running ' : ''}
          {fmtMs(end - m.startedAt)}
          {m.epoch !== undefined ? ` · epoch ${m.epoch}` : ''}
          {m.holdMs !== undefined ? ` · producers held ${fmtMs(m.holdMs)}` : ''}
          {m.groups !== undefined ? ` · waits for ${m.groups} group(s)` : ''}
          {m.remaining !== undefined && running ? ` · ${m.remaining} records to the fence` : ''}
        </span>
      </div>
      <div class="move-reason">{m.reason}</div>
      <div class="lane">
        {states.map((s) => (
          <span
            key={`${s.name}@${s.at}`}
            class={`seg seg-${s.name.split('.')[0]}`}
            style={{
              left: `${(100 * (s.at - m.startedAt)) / total}%`,
              width: `${(100 * ((s.endedAt ?? end) - s.at)) / total}%`,
            }}
            title={`${s.name}: ${fmtMs((s.endedAt ?? end) - s.at)}`}
          >
            {s.name.split('.').pop()}
          </span>
        ))}
      </div>
      <div class="steps muted">
        {drainSteps.map((s) => (
          <span key={`${s.name}@${s.at}`}>
            {s.name} {s.endedAt !== undefined ? fmtMs(s.endedAt - s.at) : '…'}{' '}
          </span>
        ))}
      </div>
    </li>
  );
}
