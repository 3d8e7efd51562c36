import {
  ADMIN_USER,
  startRouterHarness,
} from '../../__testUtils__/routerHarness';

describe('leavers endpoint', () => {
  it('lists people who left with what App Access granted them, for those who read all requests', async () => {
    const { services, call } = await startRouterHarness();
    const leaver = {
      ref: 'user:default/gone.person',
      displayName: 'Gone Person',
      leftAt: '2026-12-06T10:00:00.000Z',
      granted: [
        {
          id: 'r1',
          kind: 'access',
          appName: 'Notion',
          requester: 'user:default/gone.person',
          grantee: 'user:default/gone.person',
          status: 'fulfilled',
          level: 0,
          createdAt: '2026-12-01T10:00:00.000Z',
          updatedAt: '2026-12-01T11:00:00.000Z',
        },
      ],
    };
    services.leavers.list.mockResolvedValue({ items: [leaver] });
    const res = await call('get', '/admin/leavers', ADMIN_USER);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [leaver] });
    expect(
      (await call('get', '/admin/leavers', 'user:default/jane.doe')).status,
    ).toBe(403);
  });
});
