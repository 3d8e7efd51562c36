import { PermissionApi } from '@backstage/plugin-permission-react';

/** A permission API that allows (or denies) every App Access permission, or those `allow` accepts. */
export function fakePermissionApi(
  allow: boolean | ((permissionName: string) => boolean) = true,
): jest.Mocked<PermissionApi> {
  type Response = Awaited<ReturnType<PermissionApi['authorize']>>;
  return {
    authorize: jest.fn(async request => {
      const allowed =
        typeof allow === 'function' ? allow(request.permission.name) : allow;
      return { result: allowed ? 'ALLOW' : 'DENY' } as unknown as Response;
    }),
  };
}
