import { createWebSocketInspector } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import type { InspectionEvent } from 'xstate';
import type { Logger } from './logger.js';

export interface RunningInspector {
  readonly inspect: (e: InspectionEvent) => void;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Streams every tenant actor's events and snapshots to the Stately inspector: the package's relay
 * server (a page at http://localhost:PORT that embeds the inspector UI) plus a websocket inspector
 * that our actors report to. Port from KTB_INSPECT_PORT (default 8090, away from the controller's 8080).
 */
export async function startInspector(
  logger: Logger,
  port = Number(process.env['KTB_INSPECT_PORT'] ?? 8090),
): Promise<RunningInspector> {
  const server = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
  const url = `http://localhost:${port}`;
  logger.info({ url }, 'Stately inspector relay: open this page in a browser to watch the tenant actors');
  return {
    inspect: (e) => inspector.inspect.next?.(e),
    url,
    stop: async () => {
      inspector.stop();
      server.stop();
    },
  };
}
