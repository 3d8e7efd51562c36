import { UserInfoService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { AppAccessAdminGroups } from './AppAccessAdminGroups';

/**
 * Options of {@link createAppAccessPermissionPolicy}.
 *
 * @public
 */
export type AppAccessPermissionPolicyOptions = {
  /** The root config; `appAccess.permissions.adminGroups` is read from it at every decision. */
  config: Config;
  /**
   * The portal's own policy, asked about every permission that is not App
   * Access's. Default: allow everything else.
   */
  inner?: PermissionPolicy;
  /**
   * Resolves the caller's ownership refs. Default: the refs the permission
   * backend passes with each query.
   */
  userInfo?: UserInfoService;
};

const allowAll: PermissionPolicy = {
  async handle() {
    return { result: AuthorizeResult.ALLOW };
  },
};

class AppAccessPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly admins: AppAccessAdminGroups,
    private readonly inner: PermissionPolicy,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!request.permission.name.startsWith('app-access.')) {
      return this.inner.handle(request, user);
    }
    return {
      result: (await this.admins.includes(user))
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    };
  }
}

/**
 * A permission policy that decides every `app-access.*` permission (allowed
 * to members of `appAccess.permissions.adminGroups` only) and hands every
 * other permission to `inner`.
 *
 * @public
 */
export function createAppAccessPermissionPolicy(
  options: AppAccessPermissionPolicyOptions,
): PermissionPolicy {
  const admins = new AppAccessAdminGroups(options.config, options.userInfo);
  // A mistyped admin group would otherwise only show as every admin action
  // failing; reading it once here stops start-up with the key named.
  admins.current();
  return new AppAccessPermissionPolicy(admins, options.inner ?? allowAll);
}
