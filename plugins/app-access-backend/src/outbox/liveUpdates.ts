import { LoggerService } from '@backstage/backend-plugin-api';

/** The signal channel the frontend listens on (`useSignal`). */
export const LIVE_UPDATES_CHANNEL = 'app-access:requests';

/** What a live update says: which request changed, and how. */
export type LiveUpdate = {
  requestId: string;
  /** The notice that went out (approval_needed, decision_recorded, …). */
  kind: string;
  status: string;
};

/** The part of Backstage's SignalsService App Access uses. */
export type LiveUpdatePublisher = {
  publish(signal: {
    recipients: { type: 'user'; entityRef: string | string[] };
    channel: string;
    message: LiveUpdate;
  }): Promise<void>;
};

/**
 * Tells the people a request concerns that it changed, so their request
 * page, My requests, approvals inbox and sidebar count update without a
 * reload. Runs from the outbox's notify jobs, after the transition
 * committed; a failure only costs the live update (the pages still show the
 * truth on their next load).
 */
export async function publishLiveUpdate(
  publisher: LiveUpdatePublisher | undefined,
  logger: LoggerService,
  recipients: string[],
  update: LiveUpdate,
) {
  const users = [...new Set(recipients)].filter(r => r.startsWith('user:'));
  if (!publisher || users.length === 0) return;
  try {
    await publisher.publish({
      recipients: { type: 'user', entityRef: users },
      channel: LIVE_UPDATES_CHANNEL,
      message: update,
    });
  } catch (error) {
    logger.warn(
      `Could not publish the live update of request ${update.requestId}: ${error}`,
    );
  }
}
