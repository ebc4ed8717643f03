import type { ServerResponse } from 'node:http';
import { constants, createGzip } from 'node:zlib';
import { diffSnapshots } from '../../app/dashboard/delta.js';
import { FigureThrottle } from '../../app/dashboard/figure-throttle.js';
import type { DashboardSnapshot } from '../../app/dashboard/view-model.js';

const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events for the dashboard: a page gets `event: snapshot` (everything) when it connects,
 * then `event: delta` (only what changed) each tick. Deltas are computed once per tick against the
 * snapshot every connected page already holds, whatever the number of pages. A page that reconnects
 * (the controller restarted, a proxy cut it) gets a fresh snapshot, so it resyncs by construction.
 * With no page connected nothing is built.
 */
export class DashboardFeed {
  private readonly clients = new Set<Client>();
  private last: DashboardSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly throttle = new FigureThrottle();
  /** bytes written to pages so far (the benchmark reads it) */
  bytesSent = 0;

  constructor(
    private readonly build: () => DashboardSnapshot,
    private readonly intervalMs = 1000,
    /** called when the last page has gone and ticking stops (sources may stop following) */
    private readonly onIdle: () => void = () => undefined,
  ) {}

  get connected(): number {
    return this.clients.size;
  }

  /**
   * Takes over a response: SSE headers, the snapshot, then deltas until the page goes away. With
   * `gzip` the stream is compressed and flushed after each event (a 10,000-tenant snapshot is ~2 MB
   * of JSON, mostly repeated keys).
   */
  attach(res: ServerResponse, headers: Readonly<Record<string, string>>, gzip = false): void {
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
    });
    if (this.clients.size === 0 || this.last === undefined) this.last = this.build();
    const client = gzip
      ? gzipClient(res, (n) => (this.bytesSent += n))
      : plainClient(res, (n) => (this.bytesSent += n));
    this.clients.add(client);
    res.on('close', () => {
      this.clients.delete(client);
      client.close();
    });
    // retry: how soon EventSource reconnects after the stream drops (a controller restart).
    client.send(`retry: 1000\nevent: snapshot\ndata: ${JSON.stringify(this.last)}\n\n`);
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
    this.heartbeat ??= setInterval(() => this.broadcast(': keep-alive\n\n'), HEARTBEAT_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = this.heartbeat = undefined;
    for (const c of this.clients) c.close();
    this.clients.clear();
    this.onIdle();
  }

  private tick(): void {
    if (this.clients.size === 0 || this.last === undefined) {
      clearInterval(this.timer);
      clearInterval(this.heartbeat);
      this.timer = this.heartbeat = undefined;
      this.last = undefined;
      this.onIdle();
      return;
    }
    // What the pages get: next, with figures that only jittered kept as the pages have them.
    const next = this.throttle.apply(this.last, this.build(), Date.now());
    const delta = diffSnapshots(this.last, next);
    this.last = next;
    if (delta !== undefined) this.broadcast(`event: delta\ndata: ${JSON.stringify(delta)}\n\n`);
  }

  private broadcast(text: string): void {
    for (const c of this.clients) c.send(text);
  }
}

interface Client {
  send(text: string): void;
  close(): void;
}

const plainClient = (res: ServerResponse, count: (bytes: number) => void): Client => ({
  send: (text) => {
    count(Buffer.byteLength(text));
    res.write(text);
  },
  close: () => res.end(),
});

const gzipClient = (res: ServerResponse, count: (bytes: number) => void): Client => {
  const z = createGzip({ level: 6 });
  z.on('data', (chunk: Buffer) => {
    count(chunk.length);
    res.write(chunk);
  });
  z.on('end', () => res.end());
  return {
    // a sync flush per event: the page gets each event now, not when a deflate block fills
    send: (text) => {
      z.write(text);
      z.flush(constants.Z_SYNC_FLUSH);
    },
    close: () => z.end(),
  };
};
