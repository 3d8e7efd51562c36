import { KeyObject, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK } from 'jose';
import {
  FakeVendorApi,
  FakeVendorRefusal,
  FakeVendorRequest,
} from '@app-access/plugin-app-access-node/testUtils';

/** A Teams user of the fake tenant. */
export type FakeTeamsUser = {
  name: string;
  email: string;
  /** Entra object id. */
  aadObjectId: string;
};

/** A message the bot sent, with its current content and every version. */
export type FakeTeamsMessage = {
  id: string;
  conversationId: string;
  activity: any;
  history: any[];
};

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };

const rsaKeyPair = (): KeyPair =>
  generateKeyPairSync('rsa', { modulusLength: 2048 });

const TENANT = '11111111-2222-4333-8444-555555555555';

/**
 * A local stand-in for the Microsoft side of a Teams bot, speaking the real
 * wire formats: the Bot Framework token issuer (OpenID metadata + JWKS with
 * its own RSA key, channel tokens with right or deliberately wrong claims),
 * the Entra token endpoint (client credentials), and the Bot Connector
 * service (send / update activities, conversation members). The bot under
 * test talks to it through the real Agents SDK ConnectorClient. Failure
 * switches (`failNext`, `rateLimitNext`) come from FakeVendorApi.
 */
export class FakeBotFramework extends FakeVendorApi {
  readonly appId: string;
  readonly appPassword = 'fake-bot-secret';
  readonly tenantId = TENANT;
  readonly messages: FakeTeamsMessage[] = [];
  private readonly users = new Map<string, FakeTeamsUser>();
  private readonly goneConversations = new Set<string>();
  private readonly issuedTokens = new Set<string>();
  private readonly key = rsaKeyPair();
  /** Signs forged tokens: the JWKS never publishes it. */
  private readonly foreignKey = rsaKeyPair();
  private kid = 'fake-bf-key-1';

  constructor(options: { appId: string; users: FakeTeamsUser[] }) {
    super();
    this.appId = options.appId;
    for (const u of options.users) this.users.set(this.userIdOf(u), u);
  }

  private get base() {
    return this.url;
  }

  /** Calls the bot made to the Bot Connector, oldest first. */
  get connectorCalls() {
    return this.calls.filter(c => c.path.startsWith('/amer/'));
  }

  get issuer() {
    return `${this.base}/issuer`;
  }
  get openIdMetadataUrl() {
    return `${this.base}/v1/.well-known/openidconfiguration`;
  }
  get tokenUrl() {
    return `${this.base}/${TENANT}/oauth2/v2.0/token`;
  }
  /** Where Teams says it lives (the activity's serviceUrl). */
  get serviceUrl() {
    return `${this.base}/amer/`;
  }

  userIdOf(user: FakeTeamsUser) {
    return `29:${user.aadObjectId}`;
  }
  conversationIdOf(user: FakeTeamsUser) {
    return `a:personal-${user.aadObjectId}`;
  }

  /** The user removed the app / left: the chat is gone for the bot. */
  deleteConversation(user: FakeTeamsUser) {
    this.goneConversations.add(this.conversationIdOf(user));
  }

  /** Messages the bot sent to a user's personal chat, oldest first. */
  messagesTo(user: FakeTeamsUser): FakeTeamsMessage[] {
    const id = this.conversationIdOf(user);
    return this.messages.filter(m => m.conversationId === id);
  }

  /**
   * A Bot Framework channel token. By default right for this bot; every
   * claim can be made wrong, and `forged` signs it with a key the JWKS does
   * not publish.
   */
  async channelToken(
    options: {
      audience?: string;
      issuer?: string;
      serviceUrl?: string | null;
      expiresInSeconds?: number;
      forged?: boolean;
    } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (options.expiresInSeconds ?? 3600);
    const claims: Record<string, unknown> = {};
    if (options.serviceUrl !== null) {
      claims.serviceurl = options.serviceUrl ?? this.serviceUrl;
    }
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? this.appId)
      .setIssuedAt(Math.min(now, exp - 60))
      .setNotBefore(Math.min(now, exp - 60))
      .setExpirationTime(exp)
      .sign(options.forged ? this.foreignKey.privateKey : this.key.privateKey);
  }

  private baseActivity(user: FakeTeamsUser) {
    return {
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      from: {
        id: this.userIdOf(user),
        name: user.name,
        aadObjectId: user.aadObjectId,
      },
      recipient: { id: `28:${this.appId}`, name: 'App Access' },
      conversation: {
        id: this.conversationIdOf(user),
        conversationType: 'personal',
        tenantId: TENANT,
      },
      channelData: { tenant: { id: TENANT } },
    };
  }

  /** What Teams sends when the app is installed for a user (also org-wide). */
  installActivity(user: FakeTeamsUser, kind: 'personal' | 'admin') {
    this.goneConversations.delete(this.conversationIdOf(user));
    const base = this.baseActivity(user);
    return kind === 'admin'
      ? { ...base, type: 'installationUpdate', action: 'add' }
      : {
          ...base,
          type: 'conversationUpdate',
          membersAdded: [{ id: base.recipient.id }],
        };
  }

  /** An Action.Execute click on a card the bot sent to this user. */
  invokeActivity(
    user: FakeTeamsUser,
    message: FakeTeamsMessage,
    verb: string,
    inputs: Record<string, string> = {},
  ) {
    const found = findExecute(message.activity, verb);
    if (!found) throw new Error(`The card has no Action.Execute '${verb}'`);
    return {
      ...this.baseActivity(user),
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: message.id,
      value: {
        action: {
          type: 'Action.Execute',
          verb,
          data: { ...found.data, ...inputs },
        },
        trigger: 'manual',
      },
    };
  }

  protected failureBody(status: number) {
    return {
      error: {
        code: status === 429 ? 'TooManyRequests' : 'ServiceError',
        message: `HTTP ${status}`,
      },
    };
  }

  /** The issuer and Entra are public; the connector wants an app token it issued. */
  protected checkCredentials(
    request: FakeVendorRequest,
  ): FakeVendorRefusal | undefined {
    if (!request.path.startsWith('/amer/')) return undefined;
    const auth = /^Bearer (.+)$/.exec(request.req.headers.authorization ?? '');
    if (auth && this.issuedTokens.has(auth[1])) return undefined;
    return {
      status: 401,
      body: { message: 'Authorization has been denied for this request.' },
    };
  }

  protected async route(request: FakeVendorRequest) {
    const [status, body] = await this.answer(
      request.method,
      request.path,
      request.raw,
    );
    request.send(status, body);
  }

  private async answer(
    method: string,
    path: string,
    body: string,
  ): Promise<[number, unknown]> {
    if (method === 'GET' && path === '/v1/.well-known/openidconfiguration') {
      return [200, { issuer: this.issuer, jwks_uri: `${this.base}/keys` }];
    }
    if (method === 'GET' && path === '/keys') {
      const jwk = await exportJWK(this.key.publicKey);
      return [
        200,
        {
          keys: [
            {
              ...jwk,
              kid: this.kid,
              use: 'sig',
              alg: 'RS256',
              // Bot Framework endorses keys for the channels they sign for.
              endorsements: ['msteams'],
            },
          ],
        },
      ];
    }
    if (method === 'POST' && path === `/${TENANT}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(body);
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== this.appId ||
        form.get('client_secret') !== this.appPassword
      ) {
        return [
          401,
          {
            error: 'invalid_client',
            error_description:
              'AADSTS7000215: Invalid client secret provided.\nTrace ID: fake',
          },
        ];
      }
      if (form.get('scope') !== 'https://api.botframework.com/.default') {
        return [400, { error: 'invalid_scope' }];
      }
      const token = `fake-app-token-${randomUUID()}`;
      this.issuedTokens.add(token);
      return [
        200,
        { token_type: 'Bearer', expires_in: 3599, access_token: token },
      ];
    }

    const connector = /^\/amer\/v3\/conversations\/([^/]+)(\/.*)?$/.exec(path);
    if (!connector) return [404, { error: { code: 'NotFound' } }];
    const conversationId = decodeURIComponent(connector[1]);
    const rest = connector[2] ?? '';
    const owner = [...this.users.values()].find(
      u => this.conversationIdOf(u) === conversationId,
    );
    if (!owner || this.goneConversations.has(conversationId)) {
      return [
        404,
        {
          error: {
            code: 'ConversationNotFound',
            message: 'Conversation not found.',
          },
        },
      ];
    }
    const member = /^\/members\/([^/]+)$/.exec(rest);
    if (method === 'GET' && member) {
      const user = this.users.get(decodeURIComponent(member[1]));
      if (!user || user !== owner) {
        return [404, { error: { code: 'MemberNotFoundInConversation' } }];
      }
      return [
        200,
        {
          id: this.userIdOf(user),
          name: user.name,
          aadObjectId: user.aadObjectId,
          email: user.email,
          userPrincipalName: user.email,
          tenantId: TENANT,
          userRole: 'user',
        },
      ];
    }
    if (method === 'POST' && rest === '/activities') {
      const activity = JSON.parse(body);
      const id = `1:${randomUUID()}`;
      this.messages.push({ id, conversationId, activity, history: [activity] });
      return [201, { id }];
    }
    const update = /^\/activities\/([^/]+)$/.exec(rest);
    if (method === 'PUT' && update) {
      const message = this.messages.find(
        m =>
          m.id === decodeURIComponent(update[1]) &&
          m.conversationId === conversationId,
      );
      if (!message)
        return [404, { error: { code: 'ActivityNotFoundInConversation' } }];
      message.activity = JSON.parse(body);
      message.history.push(message.activity);
      return [200, { id: message.id }];
    }
    return [405, { error: { code: 'BadArgument' } }];
  }
}

/** Finds an Action.Execute with this verb anywhere in a message's card. */
export function findExecute(activity: any, verb: string): any {
  const walk = (node: any): any => {
    if (!node || typeof node !== 'object') return undefined;
    if (node.type === 'Action.Execute' && node.verb === verb) return node;
    for (const value of Object.values(node)) {
      const found = walk(value);
      if (found) return found;
    }
    return undefined;
  };
  return walk(activity);
}
