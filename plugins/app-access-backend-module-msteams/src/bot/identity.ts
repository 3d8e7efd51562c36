import { LoggerService } from '@backstage/backend-plugin-api';
import { AppAccessDecisionApi } from '@app-access/plugin-app-access-node';
import { TeamsBotStore } from '../database/TeamsBotStore';

/**
 * The catalog person a Teams user is: the Entra ID object id in one of the
 * annotations first, else the email / UPN; exactly one, or why not.
 */
export function identifyTeamsUser(
  decisions: AppAccessDecisionApi,
  annotations: string[],
  aadObjectId: string | undefined,
  email: string | undefined,
) {
  return decisions.identify({
    email,
    externalId: aadObjectId
      ? { value: aadObjectId, annotations, label: 'Entra ID object id' }
      : undefined,
    channel: 'msteams',
  });
}

/** Chats looked at per pass, and how often a pass may run. */
const MATCH_BATCH = 50;
const MATCH_EVERY_MS = 60_000;

/**
 * Teams sends an install once. Someone who installed the app before the
 * catalog knew them (a new hire, an org-wide install before the first
 * catalog read) has a stored chat without a person: this matches such chats
 * again, at most once a minute and 50 at a time, so that the bot reaches
 * them as soon as the catalog does, without a reinstall.
 */
export class UnmatchedChats {
  private lastPass = -Infinity;

  constructor(
    private readonly options: {
      store: TeamsBotStore;
      decisions: AppAccessDecisionApi;
      logger: LoggerService;
      objectIdAnnotations: string[];
      now?: () => number;
    },
  ) {}

  /** Matches what it can; how many chats found their person. */
  async match(): Promise<number> {
    const now = (this.options.now ?? Date.now)();
    if (now - this.lastPass < MATCH_EVERY_MS) return 0;
    this.lastPass = now;
    const { store, decisions, logger, objectIdAnnotations } = this.options;
    let matched = 0;
    for (const chat of await store.unmatchedConversations(MATCH_BATCH)) {
      const identity = await identifyTeamsUser(
        decisions,
        objectIdAnnotations,
        chat.aadObjectId,
        chat.email,
      );
      if ('person' in identity) {
        await store.matchConversation(chat.aadObjectId, identity.person.ref);
        logger.info(
          `Teams: ${identity.person.ref} can now be reached by the bot (installed before the catalog knew them)`,
        );
        matched += 1;
      }
    }
    return matched;
  }
}
