import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  appAccessPermissions,
  appAccessSettingsManagePermission,
} from '@app-access/plugin-app-access-common';
import { createAppAccessPermissionPolicy } from './AppAccessPermissionPolicy';

const memberships: Record<string, string[]> = {
  'user:default/ivan.admin': ['group:default/it-admins'],
  'user:default/jane.doe': ['group:default/engineering'],
  'user:default/sec.lead': ['group:security/auditors'],
};

// What the permission backend hands a policy: the caller's credentials and
// the ownership refs the sign-in resolver put in their token.
function user(ref: string): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(ref),
    info: {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(memberships[ref] ?? [])],
    },
  };
}

const catalogRead = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
});

describe('createAppAccessPermissionPolicy', () => {
  it('allows every App Access permission to members of it-admins by default and to no one else', async () => {
    const policy = createAppAccessPermissionPolicy({
      config: mockServices.rootConfig(),
    });
    expect(appAccessPermissions.length).toBeGreaterThanOrEqual(5);
    for (const permission of appAccessPermissions) {
      const asIvan = await policy.handle(
        { permission },
        user('user:default/ivan.admin'),
      );
      const asJane = await policy.handle(
        { permission },
        user('user:default/jane.doe'),
      );
      expect([permission.name, asIvan.result]).toEqual([
        permission.name,
        AuthorizeResult.ALLOW,
      ]);
      expect([permission.name, asJane.result]).toEqual([
        permission.name,
        AuthorizeResult.DENY,
      ]);
    }
    const anonymous = await policy.handle({
      permission: appAccessSettingsManagePermission,
    });
    expect(anonymous.result).toBe(AuthorizeResult.DENY);
  });

  it('reads adminGroups at every decision, so a config reload moves admin rights at once', async () => {
    const config = mockServices.rootConfig({
      data: { appAccess: { permissions: { adminGroups: ['it-admins'] } } },
    });
    const policy = createAppAccessPermissionPolicy({ config });
    const decide = async (ref: string) =>
      (
        await policy.handle(
          { permission: appAccessSettingsManagePermission },
          user(ref),
        )
      ).result;

    // A short ref means a group in the default namespace.
    expect(await decide('user:default/ivan.admin')).toBe(AuthorizeResult.ALLOW);
    expect(await decide('user:default/sec.lead')).toBe(AuthorizeResult.DENY);

    config.update({
      data: {
        appAccess: {
          permissions: { adminGroups: ['Group:security/Auditors'] },
        },
      },
    });
    expect(await decide('user:default/ivan.admin')).toBe(AuthorizeResult.DENY);
    expect(await decide('user:default/sec.lead')).toBe(AuthorizeResult.ALLOW);
  });

  it('hands every other permission to the inner policy, and allows it without one', async () => {
    const asked: string[] = [];
    const inner: PermissionPolicy = {
      async handle(request, caller) {
        asked.push(
          `${request.permission.name} by ${caller?.info.userEntityRef}`,
        );
        return { result: AuthorizeResult.DENY };
      },
    };
    const wrapped = createAppAccessPermissionPolicy({
      config: mockServices.rootConfig(),
      inner,
    });
    const jane = user('user:default/jane.doe');
    expect(
      (await wrapped.handle({ permission: catalogRead }, jane)).result,
    ).toBe(AuthorizeResult.DENY);
    expect(
      (
        await wrapped.handle(
          { permission: appAccessSettingsManagePermission },
          user('user:default/ivan.admin'),
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
    // The inner policy is never asked about App Access's permissions.
    expect(asked).toEqual(['catalog.entity.read by user:default/jane.doe']);

    const alone = createAppAccessPermissionPolicy({
      config: mockServices.rootConfig(),
    });
    expect((await alone.handle({ permission: catalogRead }, jane)).result).toBe(
      AuthorizeResult.ALLOW,
    );
  });

  it('takes the ownership refs from the user info service when given one', async () => {
    const userInfo = mockServices.userInfo.mock({
      getUserInfo: async () => ({
        userEntityRef: 'user:default/jane.doe',
        ownershipEntityRefs: [
          'user:default/jane.doe',
          'group:default/it-admins',
        ],
      }),
    });
    const policy = createAppAccessPermissionPolicy({
      config: mockServices.rootConfig(),
      userInfo,
    });
    // The query's own refs say engineering; the service says it-admins.
    const decision = await policy.handle(
      { permission: appAccessSettingsManagePermission },
      user('user:default/jane.doe'),
    );
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
    expect(userInfo.getUserInfo).toHaveBeenCalledTimes(1);
  });

  it('refuses an admin group that is not an entity ref, naming the key', () => {
    expect(() =>
      createAppAccessPermissionPolicy({
        config: mockServices.rootConfig({
          data: { appAccess: { permissions: { adminGroups: ['group:'] } } },
        }),
      }),
    ).toThrow(
      /Invalid config appAccess.permissions.adminGroups: 'group:' is not an entity ref/,
    );
  });
});
