import { Command } from 'commander';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';
import { positiveInt } from './common.js';

interface OpFlags {
  topic: string;
  partitions?: number | string;
  controller: string;
  token?: string;
}

const withTarget = (c: Command): Command =>
  c
    .requiredOption('--topic <name>', 'managed topic of the tenant')
    .option(
      '--controller <url>',
      'controller HTTP base URL (env KTB_CONTROLLER_URL)',
      process.env['KTB_CONTROLLER_URL'] ?? 'http://127.0.0.1:8080',
    )
    .option('--token <token>', 'bearer token (env KTB_AUTH_TOKEN)', process.env['KTB_AUTH_TOKEN']);

async function post(f: OpFlags, tenant: string, op: string, body: unknown): Promise<void> {
  const url = `${f.controller.replace(/\/$/, '')}/tenants/${encodeURIComponent(f.topic)}/${encodeURIComponent(tenant)}/${op}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(f.token ? { authorization: `Bearer ${f.token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  } catch (e) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is in its cause
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new TenantBalancerError(
      ErrorCode.ControllerUnreachable,
      `cannot reach the controller at ${f.controller} (${why}); start \`tenant-balancer controller\` or point --controller (env KTB_CONTROLLER_URL) at it`,
      { cause: e },
    );
  }
  const text = await res.text();
  if (!res.ok) {
    // the controller answers { error, code }; anything else is shown as it came
    let why = text;
    try {
      const b = JSON.parse(text) as { error?: string; code?: string };
      if (typeof b.error === 'string')
        why = b.code && !b.error.startsWith(b.code) ? `${b.code}: ${b.error}` : b.error;
    } catch {
      // not JSON
    }
    console.error(`${op} refused (HTTP ${res.status}): ${why}`);
    process.exitCode = 1;
    return;
  }
  const t = (
    JSON.parse(text) as { tenant: { state: string; partitions: number[]; decision?: { reason: string } } }
  ).tenant;
  console.log(
    `${tenant}: ${t.state} on ${t.partitions.join(',')}${t.decision ? ` (${t.decision.reason})` : ''}`,
  );
}

export function operatorCommands(): Command[] {
  const pin = withTarget(
    new Command('pin')
      .argument('<tenant>')
      .description('dedicate a tenant to its own partition(s) (reason: manual)'),
  )
    .option(
      '--partitions <k>',
      'number of dedicated partitions (sharded when > 1)',
      positiveInt('--partitions', 1),
    )
    .action((tenant: string, f: OpFlags) =>
      post(f, tenant, 'pin', f.partitions !== undefined ? { partitions: f.partitions } : {}),
    );
  const unpin = withTarget(
    new Command('unpin')
      .argument('<tenant>')
      .description('release a pinned tenant back to the shared pool (through a drain)'),
  ).action((tenant: string, f: OpFlags) => post(f, tenant, 'unpin', {}));
  const move = withTarget(
    new Command('move').argument('<tenant>').description('move a tenant to explicit dedicated partitions'),
  )
    .requiredOption('--partitions <list>', 'comma-separated dedicated partitions, e.g. 7,8')
    .action((tenant: string, f: OpFlags) =>
      post(f, tenant, 'move', {
        partitions: String(f.partitions)
          .split(',')
          .map((p) => Number(p.trim())),
      }),
    );
  return [pin, unpin, move];
}
