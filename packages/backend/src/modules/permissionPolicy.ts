import {
  coreServices,
  createBackendModule,
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
import {
  AppAccessAdminGroups,
  createAppAccessPermissionPolicy,
} from '@app-access/plugin-permission-backend-module-app-access-policy';

const writeActions = new Set(['create', 'update', 'delete']);

/**
 * The example portal's own policy, asked about everything that is not App
 * Access's. App Access takes approvers, managers, groups and email addresses
 * from the catalog, so whoever can register a location or delete an entity
 * can make themselves someone's approver: catalog writes are for the App
 * Access admins only. Reading stays open to everyone.
 */
export class ExamplePortalPolicy implements PermissionPolicy {
  constructor(private readonly admins: AppAccessAdminGroups) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { name, attributes } = request.permission;
    if (
      name.startsWith('catalog.') &&
      attributes.action &&
      writeActions.has(attributes.action)
    ) {
      return {
        result: (await this.admins.includes(user))
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export const examplePermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'example-portal-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, config, userInfo }) {
        const admins = new AppAccessAdminGroups(config, userInfo);
        policy.setPolicy(
          createAppAccessPermissionPolicy({
            config,
            userInfo,
            inner: new ExamplePortalPolicy(admins),
          }),
        );
      },
    });
  },
});
