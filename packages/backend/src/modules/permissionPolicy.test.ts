import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  appAccessPermissions,
  appAccessSettingsManagePermission,
} from '@app-access/plugin-app-access-common';
import { AppAccessExamplePolicy } from './permissionPolicy';

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
  const policy = new AppAccessExamplePolicy(userInfo, [
    'group:default/it-admins',
  ]);
  const user = (ref: string) => ({
    credentials: mockCredentials.user(ref),
    info: { userEntityRef: ref, ownershipEntityRefs: [] },
  });

  it('grants every App Access admin permission to it-admins only', async () => {
    for (const permission of appAccessPermissions) {
      expect(
        (await policy.handle({ permission }, user('user:default/ivan.admin')))
          .result,
      ).toBe(AuthorizeResult.ALLOW);
      expect(
        (await policy.handle({ permission }, user('user:default/jane.doe')))
          .result,
      ).toBe(AuthorizeResult.DENY);
    }
    expect(
      (await policy.handle({ permission: appAccessSettingsManagePermission }))
        .result,
    ).toBe(AuthorizeResult.DENY);
  });

  it('allows everything else in the demo portal', async () => {
    const other = createPermission({
      name: 'catalog.entity.read',
      attributes: { action: 'read' },
    });
    expect(
      (
        await policy.handle(
          { permission: other },
          user('user:default/jane.doe'),
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
  });
});
