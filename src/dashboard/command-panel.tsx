import { useEffect, useState } from 'preact/hooks';
import { commandBody, type Op } from './command-body.js';

/**
 * pin / unpin / move through the controller's API. The bearer token lives in this component's state
 * only: never in the URL, storage or a cookie; a reload forgets it. A refusal shows the API's text.
 */
export function CommandPanel(p: {
  topics: readonly string[];
  topic?: string | undefined;
  tenant?: string | undefined;
}) {
  const [topic, setTopic] = useState(p.topic ?? p.topics[0] ?? '');
  const [tenant, setTenant] = useState(p.tenant ?? '');
  const [partitions, setPartitions] = useState('');
  const [token, setToken] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  useEffect(() => {
    if (p.tenant !== undefined) setTenant(p.tenant);
    if (p.topic !== undefined) setTopic(p.topic);
  }, [p.tenant, p.topic]);
  const send = async (op: Op) => {
    const body = commandBody(op, partitions);
    if (typeof body === 'string') return setResult({ ok: false, text: body });
    if (!tenant) return setResult({ ok: false, text: 'name a tenant (or click one in the table)' });
    try {
      const r = await fetch(`/tenants/${encodeURIComponent(topic)}/${encodeURIComponent(tenant)}/${op}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      const j = (await r.json().catch(() => ({}))) as {
        error?: string;
        code?: string;
        tenant?: { state: string };
      };
      setResult(
        r.ok
          ? { ok: true, text: `${op} accepted: ${tenant} is ${j.tenant?.state ?? 'moving'}` }
          : {
              ok: false,
              text: `refused (${r.status}${j.code ? ` ${j.code}` : ''}): ${j.error ?? r.statusText}`,
            },
      );
    } catch (e) {
      setResult({ ok: false, text: `not sent: ${String(e)}` });
    }
  };
  return (
    <form class="commands" onSubmit={(e) => e.preventDefault()} data-testid="commands">
      <label>
        topic
        <select value={topic} onChange={(e) => setTopic(e.currentTarget.value)}>
          {p.topics.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label>
        tenant <input value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} name="tenant" />
      </label>
      <label>
        partitions{' '}
        <input
          value={partitions}
          onInput={(e) => setPartitions(e.currentTarget.value)}
          placeholder="pin: count; move: 5,6"
          name="partitions"
        />
      </label>
      <label>
        bearer token{' '}
        <input
          type="password"
          autocomplete="off"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          name="token"
        />
      </label>
      <div class="buttons">
        {(['pin', 'unpin', 'move'] as const).map((op) => (
          <button key={op} type="button" onClick={() => void send(op)} data-op={op}>
            {op}
          </button>
        ))}
      </div>
      {result && (
        <p class={result.ok ? 'ok' : 'refused'} role="status" data-testid="command-result">
          {result.text}
        </p>
      )}
    </form>
  );
}
