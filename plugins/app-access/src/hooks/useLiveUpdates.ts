import { useEffect, useRef } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';

/** The signal channel the App Access backend publishes on after each notice. */
export const LIVE_UPDATES_CHANNEL = 'app-access:requests';

/** What the backend says changed. */
export type LiveUpdate = {
  requestId: string;
  kind: string;
  status: string;
};

/**
 * Calls `onUpdate` when the backend says a request the signed-in user is
 * party to changed (Backstage signals). Without the signals plugin in the
 * portal nothing arrives and the pages load as before.
 */
export function useLiveUpdates(onUpdate: (update: LiveUpdate) => void) {
  const { lastSignal } = useSignal(LIVE_UPDATES_CHANNEL);
  const callback = useRef(onUpdate);
  callback.current = onUpdate;
  useEffect(() => {
    const update = lastSignal as LiveUpdate | null;
    if (update && typeof update.requestId === 'string') {
      callback.current(update);
    }
  }, [lastSignal]);
}
