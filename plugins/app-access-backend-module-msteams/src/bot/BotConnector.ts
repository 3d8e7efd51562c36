import { ConnectorClient } from '@microsoft/agents-hosting';
import { TeamsBotSettings } from '../config';

/** A member of a Teams conversation as the Bot Connector describes them. */
export type TeamsMember = {
  id: string;
  name?: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
};

/** Where a card goes: a personal chat on a Bot Connector service. */
export type ConversationAddress = {
  serviceUrl: string;
  conversationId: string;
};

/** Thrown when Teams says the conversation no longer exists for the bot. */
export class ConversationGoneError extends Error {
  name = 'ConversationGoneError';
}

/** An HTTP status and Bot Connector error code from a failed call. */
function failure(error: unknown): { status?: number; code?: string } {
  const e = error as {
    status?: number;
    response?: { status?: number; data?: { error?: { code?: string } } };
  };
  return {
    status: e?.status ?? e?.response?.status,
    code: e?.response?.data?.error?.code,
  };
}

/** Bot Connector answers meaning "this chat is gone for the bot". */
function isGone(error: unknown): boolean {
  const { status, code } = failure(error);
  return (
    status === 404 ||
    code === 'ConversationNotFound' ||
    code === 'BotNotInConversationRoster' ||
    (status === 403 && code === 'ConversationBlockedByUser')
  );
}

/**
 * The bot's outbound side: its own app token (client credentials against
 * Entra, cached until shortly before it expires) and the Agents SDK's
 * ConnectorClient for every call to the Bot Connector service.
 */
export class BotConnector {
  private token?: { value: string; expiresAt: number };

  constructor(
    private readonly settings: TeamsBotSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async send(
    to: ConversationAddress,
    activity: Record<string, unknown>,
  ): Promise<string> {
    const client = await this.client(to.serviceUrl);
    try {
      const res = await client.sendToConversation(
        to.conversationId,
        activity as any,
      );
      if (!res?.id) throw new Error('Bot Connector returned no activity id');
      return res.id;
    } catch (error) {
      throw this.explain('send a message', error);
    }
  }

  async update(
    to: ConversationAddress,
    activityId: string,
    activity: Record<string, unknown>,
  ): Promise<void> {
    const client = await this.client(to.serviceUrl);
    try {
      await client.updateActivity(to.conversationId, activityId, {
        ...activity,
        id: activityId,
      } as any);
    } catch (error) {
      throw this.explain('update a message', error);
    }
  }

  /** Who a user in a conversation is (email, Entra object id). */
  async member(to: ConversationAddress, userId: string): Promise<TeamsMember> {
    const client = await this.client(to.serviceUrl);
    try {
      return (await client.getConversationMember(
        userId,
        to.conversationId,
      )) as TeamsMember;
    } catch (error) {
      throw this.explain('look up a conversation member', error);
    }
  }

  /** Gets the bot's app token: proves the credentials work. */
  async checkCredentials(): Promise<void> {
    this.token = undefined;
    await this.accessToken();
  }

  private explain(what: string, error: unknown): Error {
    if (isGone(error)) {
      const { code, status } = failure(error);
      return new ConversationGoneError(
        `Teams: the conversation is gone (${code ?? `HTTP ${status}`})`,
      );
    }
    const { status, code } = failure(error);
    return new Error(
      `Teams Bot Connector refused to ${what}: ${
        status ? `HTTP ${status}` : (error as Error).message
      }${code ? ` ${code}` : ''}`,
    );
  }

  private async client(serviceUrl: string) {
    return ConnectorClient.createClientWithToken(
      serviceUrl,
      await this.accessToken(),
    );
  }

  private async accessToken(): Promise<string> {
    const now = this.now();
    if (this.token && this.token.expiresAt - 300_000 > now) {
      return this.token.value;
    }
    const { tokenUrl, appId, appPassword, scope } = this.settings;
    let res: Response;
    try {
      res = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: appId,
          client_secret: appPassword,
          scope,
        }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new Error(
        `Teams: the token endpoint ${
          new URL(tokenUrl).host
        } could not be reached: ${(error as Error).message}`,
      );
    }
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!res.ok || !body.access_token) {
      // Entra's AADSTS code says what is wrong (bad secret, wrong tenant).
      const why = body.error_description?.split('\n')[0] ?? body.error;
      throw new Error(
        `Teams: Entra refused the bot's credentials (HTTP ${res.status}${
          why ? `: ${why}` : ''
        })`,
      );
    }
    this.token = {
      value: body.access_token,
      expiresAt: now + (body.expires_in ?? 3600) * 1000,
    };
    return body.access_token;
  }
}
