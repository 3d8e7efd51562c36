import {
  ADMIN_USER,
  EMPLOYEE,
  startRouterHarness,
} from '../../__testUtils__/routerHarness';

describe('settings endpoints', () => {
  it('checks the permission the spec names before looking at the body', async () => {
    const { services, call } = await startRouterHarness();
    const res = await call('put', '/settings', EMPLOYEE).send({ bogus: true });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'You need the app-access.settings.manage permission',
    );
    expect(services.settings.update).not.toHaveBeenCalled();
  });

  it('lets an admin read, change and test', async () => {
    const { services, call } = await startRouterHarness();
    services.settings.update.mockResolvedValue({ ok: true });
    await call('put', '/settings', ADMIN_USER)
      .send({ approvalMethod: null })
      .expect(200);
    expect(services.settings.update).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: ADMIN_USER }),
      { approvalMethod: null },
    );
    services.settings.testModule.mockResolvedValue({
      ok: true,
      message: 'fine',
    });
    await call('post', '/admin/modules/notifier/slack/test', ADMIN_USER).expect(
      200,
    );
    // The admin who clicked is passed on: a channel may message them.
    expect(services.settings.testModule).toHaveBeenCalledWith(
      'notifier',
      'slack',
      expect.objectContaining({ userRef: ADMIN_USER }),
    );
    expect(
      (await call('post', '/admin/modules/widget/slack/test', ADMIN_USER))
        .status,
    ).toBe(400);
  });
});
