import { useEffect, useState } from 'preact/hooks';
import { applyDelta } from '../app/dashboard/delta.js';
import type { DashboardDelta, DashboardSnapshot } from '../app/dashboard/view-model.js';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface Live {
  readonly snapshot: DashboardSnapshot | undefined;
  readonly connection: Connection;
  /** every snapshot or delta received, oldest first (the rate chart keeps its own history) */
  readonly seq: number;
}

type Listener = (s: DashboardSnapshot) => void;
const listeners = new Set<Listener>();
/** Called with each new snapshot (after a delta is applied): the charts append to their history. */
export const onSnapshot = (f: Listener): (() => void) => {
  listeners.add(f);
  return () => listeners.delete(f);
};

/**
 * The page's copy of the controller's view: a full snapshot on (re)connect, then deltas applied to
 * it. EventSource reconnects by itself after the stream drops; if the browser gave up (the server
 * answered with an error while restarting), a new EventSource is opened after a second.
 */
export function useLive(url = '/dashboard/events'): Live {
  const [live, setLive] = useState<Live>({ snapshot: undefined, connection: 'connecting', seq: 0 });
  useEffect(() => {
    let es: EventSource | undefined;
    let retry: number | undefined;
    let current: DashboardSnapshot | undefined;
    const publish = (s: DashboardSnapshot, connection: Connection) => {
      current = s;
      listeners.forEach((f) => f(s));
      setLive((l) => ({ snapshot: s, connection, seq: l.seq + 1 }));
    };
    const open = () => {
      es = new EventSource(url);
      es.addEventListener('snapshot', (e) => publish(JSON.parse(e.data) as DashboardSnapshot, 'live'));
      es.addEventListener('delta', (e) => {
        if (current === undefined) return;
        publish(applyDelta(current, JSON.parse(e.data) as DashboardDelta), 'live');
      });
      es.onerror = () => {
        setLive((l) => ({ ...l, connection: 'reconnecting' }));
        if (es?.readyState === EventSource.CLOSED) {
          es.close();
          retry = window.setTimeout(open, 1000);
        }
      };
    };
    open();
    return () => {
      es?.close();
      window.clearTimeout(retry);
    };
  }, [url]);
  return live;
}
