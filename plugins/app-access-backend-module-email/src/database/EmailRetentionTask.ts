import { LoggerService } from '@backstage/backend-plugin-api';
import { ActionTokenStore } from './ActionTokenStore';
import { SentMailStore } from './SentMailStore';
import { ReclaimTokenStore } from './ReclaimTokenStore';

const DAY_MS = 86_400_000;

/**
 * Forgets links that expired a month ago (their pages then say "not valid"
 * instead of "expired") and the record of deliveries old enough that no
 * outbox retry of them can still come.
 */
export class EmailRetentionTask {
  constructor(
    private readonly deps: {
      tokens: ActionTokenStore;
      reclaimTokens?: ReclaimTokenStore;
      sent: SentMailStore;
      logger: LoggerService;
      keepDays?: number;
    },
  ) {}

  async run(now: Date = new Date()): Promise<void> {
    const before = new Date(
      now.getTime() - (this.deps.keepDays ?? 30) * DAY_MS,
    );
    const tokens =
      (await this.deps.tokens.deleteExpired(before)) +
      ((await this.deps.reclaimTokens?.deleteExpired(before)) ?? 0);
    const sent = await this.deps.sent.deleteSentBefore(before);
    if (tokens || sent) {
      this.deps.logger.info(
        `Removed ${tokens} expired email link(s) and ${sent} old delivery record(s)`,
      );
    }
  }
}
