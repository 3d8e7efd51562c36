import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
  catalogLocationReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import { appAccessPermissions } from '@app-access/plugin-app-access-common';
import {
  AppAccessAdminGroups,
  createAppAccessPermissionPolicy,
} from '@app-access/plugin-permission-backend-module-app-access-policy';
import { ExamplePortalPolicy } from './permissionPolicy';

describe('the example portal permission policy', () => {
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async credentials => {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs:
          ref === 'user:default/ivan.admin'
            ? [ref, 'group:default/it-admins']
            : [ref, 'group:default/engineering'],
      };
    },
  });
  const config = mockServices.rootConfig({
    data: {
      appAccess: { permissions: { adminGroups: ['group:default/it-admins'] } },
    },
  });
  const policy = createAppAccessPermissionPolicy({
    config,
    userInfo,
    inner: new ExamplePortalPolicy(new AppAccessAdminGroups(config, userInfo)),
  });
  const decide = async (permission: Permission, ref?: string) =>
    (
      await policy.handle(
        { permission },
        ref
          ? {
              credentials: mockCredentials.user(ref),
              info: { userEntityRef: ref, ownershipEntityRefs: [ref] },
            }
          : undefined,
      )
    ).result;

  it('grants every App Access admin permission to it-admins only', async () => {
    for (const permission of appAccessPermissions) {
      expect(await decide(permission, 'user:default/ivan.admin')).toBe(
        AuthorizeResult.ALLOW,
      );
      expect(await decide(permission, 'user:default/jane.doe')).toBe(
        AuthorizeResult.DENY,
      );
      expect(await decide(permission)).toBe(AuthorizeResult.DENY);
    }
  });

  it('denies catalog writes to everyone but the admins: no one makes themselves an approver by registering entities', async () => {
    const writes = [
      catalogEntityCreatePermission,
      catalogEntityDeletePermission,
      catalogEntityRefreshPermission,
      catalogLocationCreatePermission,
      catalogLocationDeletePermission,
    ];
    for (const permission of writes) {
      expect([
        permission.name,
        await decide(permission, 'user:default/jane.doe'),
      ]).toEqual([permission.name, AuthorizeResult.DENY]);
      expect([
        permission.name,
        await decide(permission, 'user:default/ivan.admin'),
      ]).toEqual([permission.name, AuthorizeResult.ALLOW]);
    }
  });

  it('lets everyone read the catalog', async () => {
    for (const permission of [
      catalogEntityReadPermission,
      catalogLocationReadPermission,
    ]) {
      expect(await decide(permission, 'user:default/jane.doe')).toBe(
        AuthorizeResult.ALLOW,
      );
    }
  });
});
