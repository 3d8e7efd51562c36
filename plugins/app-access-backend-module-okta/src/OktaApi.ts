import {
  AppUser,
  Application,
  Client,
  Collection,
  DefaultRequestExecutor,
  Group,
  User,
} from '@okta/okta-sdk-nodejs';
import { OktaConfig } from './config';
import { describeOktaError, OktaProblem } from './oktaErrors';

/** An Okta app as the admin's "Not in catalog" tab shows it. */
export type OktaAppSummary = {
  id: string;
  name: string;
  label: string;
  status: string;
  signOnMode?: string;
  logoUrl?: string;
};

/** An Okta group as the admin's group picker shows it. */
export type OktaGroupSummary = {
  id: string;
  name: string;
  description?: string;
  type?: string;
};

export type OktaList<T> = { items: T[]; truncated: boolean };

export type OktaRequestOptions = Parameters<DefaultRequestExecutor['fetch']>[0];
type RequestOptions = OktaRequestOptions;

/**
 * The SDK's own executor with one addition: errors from the OAuth token
 * endpoint. SDK 8 does not check the token response's status and would use
 * `{ error, error_description }` as if it were a token, so every call then
 * failed with a puzzling 401; here the token request fails with what Okta said.
 */
export class OktaRequestExecutor extends DefaultRequestExecutor {
  async fetch(request: RequestOptions) {
    const response = await super.fetch(request);
    if (
      response.status < 300 ||
      !String(request.url ?? '').includes('/oauth2/v1/token')
    ) {
      return response;
    }
    const text = await response.clone().text();
    let body: { error?: string; error_description?: string } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the status says enough
    }
    // The SDK answers this one itself (DPoP-bound tokens).
    if (body.error === 'use_dpop_nonce') return response;
    throw Object.assign(
      new Error(
        `Okta token request failed: HTTP ${response.status} ${
          body.error ?? ''
        } ${body.error_description ?? ''}`.trim(),
      ),
      {
        name: 'OktaTokenError',
        status: response.status,
        url: request.url,
        headers: response.headers,
        errorCode: body.error,
        errorSummary: body.error_description,
      },
    );
  }
}

function isNotFound(error: unknown) {
  return Number((error as { status?: unknown })?.status) === 404;
}

async function collect<T, R>(
  collection: Collection<T>,
  max: number,
  map: (item: T) => R,
): Promise<OktaList<R>> {
  const items: R[] = [];
  for await (const item of collection) {
    if (!item) continue;
    if (items.length >= max) return { items, truncated: true };
    items.push(map(item));
  }
  return { items, truncated: false };
}

/**
 * The Okta calls App Access makes, over the official SDK. The SDK's own
 * retries are off (`maxRetries: 0`) and its cache is off: the outbox retries
 * with the delay Okta asks for, and provisioning status must be read fresh.
 */
/**
 * An SDK client for the org in `config`, with the given executor, no cache,
 * and (OAuth) the configured scopes plus `extraScopes`.
 */
export function createOktaClient(
  config: Pick<OktaConfig, 'orgUrl' | 'auth'>,
  requestExecutor: DefaultRequestExecutor,
  extraScopes: string[] = [],
): Client {
  const { auth } = config;
  return new Client(
    auth.type === 'apiToken'
      ? {
          orgUrl: config.orgUrl,
          // Explicit, so OKTA_CLIENT_* variables or an okta.yaml cannot switch modes.
          authorizationMode: 'SSWS',
          token: auth.token,
          cacheMiddleware: null,
          requestExecutor,
        }
      : {
          orgUrl: config.orgUrl,
          authorizationMode: 'PrivateKey',
          clientId: auth.clientId,
          privateKey: auth.privateKey,
          keyId: auth.keyId,
          scopes: [...new Set([...auth.scopes, ...extraScopes])],
          cacheMiddleware: null,
          requestExecutor,
        },
  );
}

export class OktaApi {
  static fromConfig(config: OktaConfig): OktaApi {
    const requestExecutor = new OktaRequestExecutor({
      maxRetries: 0,
      requestTimeout: config.requestTimeoutMs,
    });
    return new OktaApi(createOktaClient(config, requestExecutor), config);
  }

  constructor(
    private readonly client: Client,
    readonly config: Pick<OktaConfig, 'orgUrl' | 'auth'>,
  ) {}

  describe(error: unknown): OktaProblem {
    return describeOktaError(error, this.config.auth.type);
  }

  /** The user with this login (or id); undefined when Okta has none. */
  async getUser(loginOrId: string): Promise<User | undefined> {
    try {
      return await this.client.userApi.getUser({ userId: loginOrId });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Users whose primary email is this address (at most `max`). */
  async findUsersByEmail(email: string, max = 2): Promise<User[]> {
    const quoted = email.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    const list = await collect(
      await this.client.userApi.listUsers({
        search: `profile.email eq "${quoted}"`,
        limit: max,
      }),
      max,
      u => u,
    );
    return list.items;
  }

  async getGroup(groupId: string): Promise<Group | undefined> {
    try {
      return await this.client.groupApi.getGroup({ groupId });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** PUT: adding someone who is already a member changes nothing. */
  async addUserToGroup(groupId: string, userId: string): Promise<void> {
    await this.client.groupApi.assignUserToGroup({ groupId, userId });
  }

  /** Whether the user is a direct member of the group (read before removing). */
  async isGroupMember(groupId: string, userId: string): Promise<boolean> {
    for await (const group of await this.client.userApi.listUserGroups({
      userId,
    })) {
      if (group?.id === groupId) return true;
    }
    return false;
  }

  /** DELETE: false when Okta says the user (or group) is not there: already removed. */
  async removeUserFromGroup(groupId: string, userId: string): Promise<boolean> {
    try {
      await this.client.groupApi.unassignUserFromGroup({ groupId, userId });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** DELETE: false when the user is not assigned: already removed. */
  async unassignUserFromApp(appId: string, userId: string): Promise<boolean> {
    try {
      await this.client.applicationApi.unassignUserFromApplication({
        appId,
        userId,
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async getApp(appId: string): Promise<Application | undefined> {
    try {
      return await this.client.applicationApi.getApplication({ appId });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The user's assignment to the app; undefined when not assigned (Okta's 404 E0000007). */
  async getAppUser(
    appId: string,
    userId: string,
  ): Promise<AppUser | undefined> {
    try {
      return await this.client.applicationApi.getApplicationUser({
        appId,
        userId,
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** POST: not idempotent on Okta's side, so callers look with getAppUser first. */
  async assignUserToApp(appId: string, userId: string): Promise<AppUser> {
    return this.client.applicationApi.assignUserToApplication({
      appId,
      appUser: { id: userId, scope: 'USER' },
    });
  }

  /** Apps whose name or label starts with `q`, following Okta's pages up to `max`. */
  async listApps(
    q: string | undefined,
    max: number,
  ): Promise<OktaList<OktaAppSummary>> {
    return collect(
      await this.client.applicationApi.listApplications({
        q: q || undefined,
        limit: Math.min(200, max + 1),
      }),
      max,
      (app: Application) => ({
        id: app.id!,
        name: String((app as { name?: unknown }).name ?? ''),
        label: app.label,
        status: app.status ?? 'ACTIVE',
        signOnMode: app.signOnMode,
        logoUrl: app._links?.logo?.[0]?.href,
      }),
    );
  }

  /** Groups whose name starts with `q`, following Okta's pages up to `max`. */
  async listGroups(
    q: string | undefined,
    max: number,
  ): Promise<OktaList<OktaGroupSummary>> {
    return collect(
      await this.client.groupApi.listGroups({
        q: q || undefined,
        limit: Math.min(200, max + 1),
      }),
      max,
      (group: Group) => ({
        id: group.id!,
        name: group.profile?.name ?? group.id!,
        description: group.profile?.description || undefined,
        type: group.type,
      }),
    );
  }

  /** One cheap read per area App Access uses; throws what Okta answered. */
  async probe(area: 'users' | 'groups' | 'apps'): Promise<void> {
    const lists = {
      users: () => this.client.userApi.listUsers({ limit: 1 }),
      groups: () => this.client.groupApi.listGroups({ limit: 1 }),
      apps: () => this.client.applicationApi.listApplications({ limit: 1 }),
    };
    const list: Collection<unknown> = await lists[area]();
    await list.next();
  }
}
