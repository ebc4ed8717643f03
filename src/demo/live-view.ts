import type { TenantStatus } from '../app/controller.js';
import type { CheckingConsumer } from './checking-consumer.js';
import type { TenantLoad } from './tenant-load.js';

/** What the demo's live terminal view shows each second. */
export interface View {
  /** the whale's tenant id */
  whale: string;
  topic: string;
  phase: string;
  elapsed: number;
  duration: number;
  whaleRate: number;
  tenants: TenantStatus[];
  consumer: CheckingConsumer;
  load: Pick<TenantLoad<unknown>, 'sent'>;
  transitions: string[];
  migrations: number;
  small: string[];
  /** the controller's dashboard, when the demo runs one */
  dashboard?: string;
}

export function render(v: View): void {
  const byState = new Map<string, number>();
  for (const t of v.tenants) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
  const whale = v.tenants.find((t) => t.tenant === v.whale);
  const recent: number[] = [];
  const since = Date.now() - 5000;
  for (const s of v.small)
    for (const [at, ms] of v.consumer.latency.get(s) ?? []) if (at >= since) recent.push(ms);
  recent.sort((a, b) => a - b);
  const p = (q: number) =>
    recent.length
      ? `${recent[Math.min(recent.length - 1, Math.ceil((q / 100) * recent.length) - 1)]} ms`
      : '-';
  const r = v.consumer.checker.report();
  const lines = [
    `kafka-tenant-balancer demo  topic ${v.topic}  ${v.elapsed.toFixed(0)}/${v.duration}s  phase: ${v.phase}`,
    ...(v.dashboard ? [`dashboard: ${v.dashboard}`] : []),
    '',
    `whale: ${v.whaleRate} rec/s offered  state ${whale?.state ?? 'shared (no actor)'}  partitions ${whale?.partitions.join(',') ?? '-'}${whale?.drain ? `  draining: ${whale.drain.remaining ?? '?'} records ahead of the fence` : ''}`,
    `tenants with actors by state: ${[...byState].map(([s, n]) => `${s}=${n}`).join('  ') || '-'}   migrations done: ${v.migrations}`,
    `small tenants (${v.small.length}) produce-to-consume latency, last 5 s: p50 ${p(50)}  p99 ${p(99)}`,
    `produced ${v.load.sent}  consumed ${v.consumer.consumed}  ordering violations ${r.violations}  gaps ${r.gaps}`,
    '',
    'recent transitions:',
    ...v.transitions.slice(-8).map((t) => `  ${t}`),
    '',
    'Ctrl-C stops cleanly.',
  ];
  process.stdout.write(`\x1b[2J\x1b[H${lines.join('\n')}\n`);
}
