import {
  coreServices,
  createBackendModule,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { appAccessPermissions } from '@app-access/plugin-app-access-common';

const adminPermissionNames = new Set(appAccessPermissions.map(p => p.name));

/**
 * The example portal's policy: App Access administration is for members of
 * the admin groups (default `group:default/it-admins`); everything else in
 * this demo portal is allowed.
 */
export class AppAccessExamplePolicy implements PermissionPolicy {
  constructor(
    private readonly userInfo: UserInfoService,
    private readonly adminGroups: string[],
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (adminPermissionNames.has(request.permission.name)) {
      if (!user) {
        return { result: AuthorizeResult.DENY };
      }
      const { ownershipEntityRefs: refs } = await this.userInfo.getUserInfo(
        user.credentials,
      );
      const isAdmin = refs.some(ref => this.adminGroups.includes(ref));
      return { result: isAdmin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export const appAccessPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'app-access-example-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, config, userInfo }) {
        const adminGroups = config.getOptionalStringArray(
          'appAccess.permissions.adminGroups',
        ) ?? ['group:default/it-admins'];
        policy.setPolicy(new AppAccessExamplePolicy(userInfo, adminGroups));
      },
    });
  },
});
