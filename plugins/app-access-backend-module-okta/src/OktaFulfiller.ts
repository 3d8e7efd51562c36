import { LoggerService } from '@backstage/backend-plugin-api';
import { AppUser, User } from '@okta/okta-sdk-nodejs';
import {
  FulfillmentSpec,
  ModuleTestResult,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessFulfiller,
  FulfillmentContext,
  FulfillmentResult,
  FulfillmentSpecProblem,
  RevocationContext,
  RevocationResult,
} from '@app-access/plugin-app-access-node';
import { OktaAllowList } from './OktaAllowList';
import { OktaApi } from './OktaApi';
import {
  describeAppUser,
  formatOktaRef,
  grantedMessage,
  minutes,
  parseOktaRef,
  provisioningState,
  seconds,
} from './provisioning';

export type OktaFulfillerOptions = {
  api: OktaApi;
  logger: LoggerService;
  /** The groups and apps it may grant; any when left out. */
  allowList?: OktaAllowList;
  /** How long the follow-up keeps waiting for provisioning (for the messages). */
  provisioningTimeoutMs: number;
  /** How often the follow-up looks again (for the messages). */
  pollMs: number;
  /**
   * Reads of the app user inside one fulfillment before handing over to the
   * scheduled follow-up; kept short because the outbox worker waits for us.
   */
  inlineChecks?: number;
  inlineIntervalMs?: number;
};

/** Something only a person can fix (user not in Okta, app inactive, …): no retry helps. */
class PermanentFailure extends Error {}

const fail = (reason: string) => new PermanentFailure(reason);

/**
 * Grants access in Okta: adds the requester to a group (`okta-group`) or
 * assigns them to an app (`okta-app`), then follows the app user until Okta
 * has provisioned the account. Safe to run again for the same request: the
 * group PUT is idempotent and an app is only assigned when Okta says the user
 * is not assigned yet, so a crash between the call and its recording never
 * assigns twice.
 */
export class OktaFulfiller implements AppAccessFulfiller {
  readonly handles = ['okta-group', 'okta-app'];
  private readonly inlineChecks: number;
  private readonly inlineIntervalMs: number;

  constructor(private readonly options: OktaFulfillerOptions) {
    this.inlineChecks = options.inlineChecks ?? 3;
    this.inlineIntervalMs =
      options.inlineIntervalMs ?? Math.min(options.pollMs, 2000);
  }

  validateSpec(spec: FulfillmentSpec): FulfillmentSpecProblem | undefined {
    return this.options.allowList?.check(spec);
  }

  async fulfill(context: FulfillmentContext): Promise<FulfillmentResult> {
    const { spec } = context;
    try {
      if (spec.type !== 'okta-group' && spec.type !== 'okta-app') {
        return {
          status: 'failed',
          error: `The Okta module cannot fulfil '${spec.type}'`,
        };
      }
      // Again here, not only on save: the tier may predate the list.
      const refused = this.validateSpec(spec);
      if (refused) {
        this.options.logger.warn(
          `Okta fulfillment of request ${context.request.id} refused: ${refused.message}`,
        );
        return { status: 'failed', error: refused.message };
      }
      const user = await this.findUser(context);
      if (spec.type === 'okta-group') {
        return await this.addToGroup(context, user, spec.oktaGroupId);
      }
      return await this.assignApp(context, user, spec.oktaAppId);
    } catch (error) {
      if (error instanceof PermanentFailure) {
        return { status: 'failed', error: error.message };
      }
      const problem = this.options.api.describe(error);
      this.options.logger.warn(
        `Okta fulfillment of request ${context.request.id} failed: ${problem.message}`,
      );
      switch (problem.kind) {
        case 'rate_limited':
          return {
            status: 'retry',
            error: problem.message,
            retryAfterMs: problem.retryAfterMs,
          };
        case 'unavailable':
        case 'unknown':
          return { status: 'retry', error: problem.message };
        default:
          return { status: 'failed', error: problem.message };
      }
    }
  }

  /**
   * Removes the group membership or app assignment a grant made. The user
   * is the one the grant recorded (its externalRef), else found again by
   * email. Removing what is gone already is done: the DELETE answers 404 and
   * nothing else happens, so a retry after a crash removes nothing twice.
   */
  async revoke(context: RevocationContext): Promise<RevocationResult> {
    const { spec, grant } = context;
    const { api, logger } = this.options;
    try {
      if (spec.type !== 'okta-group' && spec.type !== 'okta-app') {
        return {
          status: 'failed',
          error: `The Okta module cannot remove '${spec.type}'`,
        };
      }
      const recorded = parseOktaRef(grant.externalRef);
      let userId = recorded?.userId;
      let login = userId;
      if (!userId) {
        const user = await this.findUser({
          request: context.request,
          requester: context.grantee,
        } as FulfillmentContext);
        userId = user.id!;
        login = user.profile?.login ?? userId;
      }
      if (spec.type === 'okta-group') {
        const groupId =
          recorded?.kind === 'okta-group' ? recorded.groupId : spec.oktaGroupId;
        // Looked up first, so a retry after a crash between the DELETE and
        // its checkpoint finds the membership gone and removes nothing.
        const removed =
          (await api.isGroupMember(groupId, userId)) &&
          (await api.removeUserFromGroup(groupId, userId));
        const note = removed
          ? `Removed ${login} from Okta group ${groupId}`
          : `${login} was no longer in Okta group ${groupId}`;
        await context.checkpoint({ note });
        return { status: 'removed', message: note };
      }
      const appId =
        recorded?.kind === 'okta-app' ? recorded.appId : spec.oktaAppId;
      const removed =
        (await api.getAppUser(appId, userId)) !== undefined &&
        (await api.unassignUserFromApp(appId, userId));
      const note = removed
        ? `Unassigned ${login} from Okta app ${appId}; Okta deprovisions the account`
        : `${login} was no longer assigned to Okta app ${appId}`;
      await context.checkpoint({ note });
      return { status: 'removed', message: note };
    } catch (error) {
      if (error instanceof PermanentFailure) {
        return { status: 'failed', error: error.message };
      }
      const problem = api.describe(error);
      logger.warn(
        `Okta removal of grant ${grant.id} failed: ${problem.message}`,
      );
      switch (problem.kind) {
        case 'rate_limited':
          return {
            status: 'retry',
            error: problem.message,
            retryAfterMs: problem.retryAfterMs,
          };
        case 'unavailable':
        case 'unknown':
          return { status: 'retry', error: problem.message };
        default:
          return { status: 'failed', error: problem.message };
      }
    }
  }

  async selfTest(): Promise<ModuleTestResult> {
    const { api } = this.options;
    const { orgUrl, auth } = api.config;
    const how =
      auth.type === 'apiToken'
        ? 'an API token'
        : `OAuth service app ${auth.clientId}`;
    const details: string[] = [];
    const checks = [
      ['users', 'Users can be looked up'],
      ['groups', 'Groups can be read'],
      ['apps', 'Apps can be read'],
    ] as const;
    for (const [area, ok] of checks) {
      try {
        await api.probe(area);
        details.push(ok);
      } catch (error) {
        const problem = api.describe(error);
        return {
          ok: false,
          message:
            problem.kind === 'forbidden'
              ? `${problem.message} (reading ${area})`
              : problem.message,
          details,
        };
      }
    }
    return { ok: true, message: `Connected to ${orgUrl} with ${how}`, details };
  }

  /**
   * The requester's Okta user. People are matched by the email in their
   * catalog entity, which App Access takes to be their Okta login; when no
   * user has that login, one whose primary email it is will do.
   */
  private async findUser(context: FulfillmentContext): Promise<User> {
    const person = context.requester;
    if (!person) {
      throw fail(
        `${context.request.requester} is not in the catalog, so their Okta user cannot be found`,
      );
    }
    const login = person.email?.trim();
    if (!login) {
      throw fail(
        `${person.ref} has no email (spec.profile.email) in the catalog; App Access finds Okta users by it`,
      );
    }
    const { api } = this.options;
    let user = await api.getUser(login);
    if (!user) {
      const byEmail = await api.findUsersByEmail(login);
      if (byEmail.length > 1) {
        throw fail(
          `Several Okta users have the email ${login} and none has it as login — check the person's Okta login`,
        );
      }
      user = byEmail[0];
    }
    if (!user?.id) {
      throw fail(
        `No Okta user with login ${login} — check the person's Okta login`,
      );
    }
    if (user.status === 'DEPROVISIONED') {
      throw fail(
        `The Okta user ${login} is deactivated (DEPROVISIONED); reactivate them in Okta, then retry`,
      );
    }
    return user;
  }

  private async addToGroup(
    context: FulfillmentContext,
    user: User,
    groupId: string,
  ): Promise<FulfillmentResult> {
    const { api } = this.options;
    const login = user.profile?.login ?? user.id!;
    const group = await api.getGroup(groupId);
    if (!group) throw fail(`Okta group ${groupId} not found`);
    const name = group.profile?.name ?? groupId;
    if (group.type && group.type !== 'OKTA_GROUP') {
      throw fail(
        `Okta group ${name} (${groupId}) is a ${group.type}; Okta only lets people be added to groups of type OKTA_GROUP`,
      );
    }
    try {
      await api.addUserToGroup(groupId, user.id!);
    } catch (error) {
      // Deleted between the look-ups and the PUT.
      if (api.describe(error).kind === 'not_found') {
        throw fail(
          `Okta group ${groupId} or user ${login} was deleted while App Access added them; check both in Okta, then retry`,
        );
      }
      throw error;
    }
    const externalRef = formatOktaRef({
      kind: 'okta-group',
      groupId,
      userId: user.id!,
    });
    const added = `Added ${login} to Okta group ${name} (${groupId})`;
    await context.checkpoint({ note: added, externalRef });

    // When the catalog knows the app's Okta id, the group most likely assigns
    // that app: follow the account Okta creates there, as for an app tier.
    const appId = context.app.externalIds?.oktaAppId;
    if (appId) {
      const appUser = await this.optionalAppUser(appId, user.id!);
      if (appUser) {
        return this.follow(context, {
          appId,
          userId: user.id!,
          login,
          label: context.app.name,
          appUser,
        });
      }
    }
    return { status: 'fulfilled', externalRef, message: added };
  }

  /** Provisioning news after a group add is a bonus: errors only cost the detail. */
  private async optionalAppUser(appId: string, userId: string) {
    try {
      return await this.options.api.getAppUser(appId, userId);
    } catch (error) {
      this.options.logger.info(
        `Could not read Okta app ${appId} for user ${userId}: ${
          this.options.api.describe(error).message
        }`,
      );
      return undefined;
    }
  }

  private async assignApp(
    context: FulfillmentContext,
    user: User,
    appId: string,
  ): Promise<FulfillmentResult> {
    const { api } = this.options;
    const login = user.profile?.login ?? user.id!;
    const app = await api.getApp(appId);
    if (!app) throw fail(`Okta app ${appId} not found`);
    const label = app.label ?? appId;
    if (app.status !== 'ACTIVE') {
      throw fail(
        `Okta app ${label} (${appId}) is ${
          app.status ?? 'not active'
        }; activate it in Okta, then retry`,
      );
    }
    const externalRef = formatOktaRef({
      kind: 'okta-app',
      appId,
      userId: user.id!,
    });
    let appUser = await api.getAppUser(appId, user.id!);
    if (appUser) {
      await context.checkpoint({
        note: `${login} is already assigned to ${label} in Okta (${describeAppUser(
          appUser,
        )})`,
        externalRef,
      });
    } else {
      appUser = await api.assignUserToApp(appId, user.id!);
      await context.checkpoint({
        note: `Assigned ${login} to ${label} in Okta (${describeAppUser(
          appUser,
        )})`,
        externalRef,
      });
    }
    return this.follow(context, {
      appId,
      userId: user.id!,
      login,
      label,
      appUser,
    });
  }

  /** Reads the app user a few times; hands over to the scheduled follow-up if Okta is slow. */
  private async follow(
    context: FulfillmentContext,
    target: {
      appId: string;
      userId: string;
      login: string;
      label: string;
      appUser: AppUser;
    },
  ): Promise<FulfillmentResult> {
    const { api, pollMs, provisioningTimeoutMs } = this.options;
    const { appId, userId, login, label } = target;
    const externalRef = formatOktaRef({ kind: 'okta-app', appId, userId });
    let appUser = target.appUser;
    let last = describeAppUser(appUser);
    for (let check = 0; ; check++) {
      const state = provisioningState(appUser);
      if (state === 'done') {
        return {
          status: 'fulfilled',
          externalRef,
          message: grantedMessage(login, label, appUser),
        };
      }
      if (state === 'error') {
        return {
          status: 'failed',
          error: `Okta could not provision ${login} in ${label} (${last}); fix the app's provisioning in Okta, then retry`,
        };
      }
      if (check >= this.inlineChecks) break;
      await new Promise(resolve => setTimeout(resolve, this.inlineIntervalMs));
      const next = await api.getAppUser(appId, userId);
      if (!next) {
        return {
          status: 'failed',
          error: `${login} was unassigned from ${label} in Okta while App Access waited for provisioning`,
        };
      }
      appUser = next;
      const now = describeAppUser(appUser);
      if (now !== last) {
        await context.checkpoint({ note: `Okta: ${label} ${now}` });
        last = now;
      }
    }
    return {
      status: 'awaiting_it',
      externalRef,
      message: `Assigned in Okta; waiting for ${label} to provision the account (${last}). App Access checks every ${seconds(
        pollMs,
      )} s for up to ${minutes(provisioningTimeoutMs)} min`,
    };
  }
}
