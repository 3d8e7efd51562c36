import {
  ADMIN_USER,
  EMPLOYEE,
  startRouterHarness,
} from '../../__testUtils__/routerHarness';

describe('admin app endpoints', () => {
  it('creates with 201, replaces by the URL id, and lists with the listed filter', async () => {
    const { services, call } = await startRouterHarness();
    services.apps.save.mockResolvedValue({ id: 'figma' });
    const body = { id: 'figma', name: 'Figma', category: 'Design' };
    await call('post', '/admin/apps', ADMIN_USER).send(body).expect(201);
    expect(services.apps.save).toHaveBeenLastCalledWith(
      expect.objectContaining({ userRef: ADMIN_USER }),
      body,
      { mustBeNew: true },
    );
    await call('put', '/admin/apps/figma', ADMIN_USER)
      .send({ name: 'Figma', category: 'Design' })
      .expect(200);
    expect(services.apps.save).toHaveBeenLastCalledWith(
      expect.anything(),
      { name: 'Figma', category: 'Design' },
      { mustBeNew: false, id: 'figma' },
    );
    services.apps.list.mockResolvedValue({ items: [] });
    await call('get', '/admin/apps?listed=false', ADMIN_USER).expect(200);
    expect(services.apps.list).toHaveBeenCalledWith(
      expect.objectContaining({ listed: false }),
    );
  });

  it('is forbidden to employees', async () => {
    const { services, call } = await startRouterHarness();
    expect((await call('get', '/admin/apps', EMPLOYEE)).status).toBe(403);
    expect(services.apps.list).not.toHaveBeenCalled();
  });
});
