/**
 * Fired on `window` when the signed-in user's approvals inbox changed (they
 * decided a request, or found it decided already), so that other parts of
 * the page, like the sidebar count, can reload.
 */
export const APPROVALS_CHANGED_EVENT = 'app-access:approvals-changed';

export function notifyApprovalsChanged(): void {
  if (typeof window === 'undefined') {
    return;
  }
  window.dispatchEvent(new CustomEvent(APPROVALS_CHANGED_EVENT));
}

/** Calls `listener` on every APPROVALS_CHANGED_EVENT; returns the unsubscribe. */
export function onApprovalsChanged(listener: () => void): () => void {
  if (typeof window === 'undefined') {
    return () => {};
  }
  window.addEventListener(APPROVALS_CHANGED_EVENT, listener);
  return () => window.removeEventListener(APPROVALS_CHANGED_EVENT, listener);
}
