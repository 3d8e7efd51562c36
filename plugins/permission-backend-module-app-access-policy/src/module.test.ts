import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { appAccessAuditReadPermission } from '@app-access/plugin-app-access-common';
import permissionModuleAppAccessPolicy from './index';

describe('permissionModuleAppAccessPolicy', () => {
  it('sets a policy that reads adminGroups from the root config and memberships from the user info service', async () => {
    let installed: PermissionPolicy | undefined;
    const backend = await startTestBackend({
      extensionPoints: [
        [policyExtensionPoint, { setPolicy: p => (installed = p) }],
      ],
      features: [
        permissionModuleAppAccessPolicy,
        mockServices.rootConfig.factory({
          data: {
            appAccess: { permissions: { adminGroups: ['group:default/ops'] } },
          },
        }),
        mockServices.userInfo.mock({
          getUserInfo: async credentials => {
            const ref = (credentials.principal as { userEntityRef: string })
              .userEntityRef;
            return {
              userEntityRef: ref,
              ownershipEntityRefs:
                ref === 'user:default/olga.ops'
                  ? [ref, 'group:default/ops']
                  : [ref],
            };
          },
        }).factory,
      ],
    });
    try {
      const ask = async (ref: string) =>
        (
          await installed!.handle(
            { permission: appAccessAuditReadPermission },
            {
              credentials: mockCredentials.user(ref),
              info: { userEntityRef: ref, ownershipEntityRefs: [ref] },
            },
          )
        ).result;
      expect(await ask('user:default/olga.ops')).toBe(AuthorizeResult.ALLOW);
      expect(await ask('user:default/jane.doe')).toBe(AuthorizeResult.DENY);
    } finally {
      await backend.stop();
    }
  });
});
