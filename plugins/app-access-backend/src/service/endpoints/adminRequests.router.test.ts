import {
  ADMIN_USER,
  EMPLOYEE,
  startRouterHarness,
} from '../../__testUtils__/routerHarness';

describe('admin request and outbox endpoints', () => {
  it('binds oversight, retry, naming an approver, marking fulfilled and the outbox', async () => {
    const { services, call } = await startRouterHarness();
    services.requests.listAll.mockResolvedValue({ items: [] });
    await call(
      'get',
      '/admin/requests?status=failed,awaiting_it&olderThanDays=2',
      ADMIN_USER,
    ).expect(200);
    expect(services.requests.listAll).toHaveBeenCalledWith(
      expect.objectContaining({
        status: 'failed,awaiting_it',
        olderThanDays: 2,
      }),
    );
    services.requests.nameApprover.mockResolvedValue({ id: 'r1' });
    await call('post', '/admin/requests/r1/approvers', ADMIN_USER)
      .send({ approver: 'user:default/tom' })
      .expect(200);
    expect(services.requests.nameApprover).toHaveBeenCalledWith(
      expect.anything(),
      'r1',
      'user:default/tom',
    );
    services.requests.markFulfilled.mockResolvedValue({ id: 'r1' });
    await call('post', '/admin/requests/r1/mark-fulfilled', ADMIN_USER)
      .send({ note: 'done by hand' })
      .expect(200);
    expect(services.requests.markFulfilled).toHaveBeenCalledWith(
      expect.anything(),
      'r1',
      'done by hand',
    );
    services.requests.remindNow.mockResolvedValue({ id: 'r1' });
    await call('post', '/admin/requests/r1/remind', ADMIN_USER).expect(200);
    expect(services.requests.remindNow).toHaveBeenCalledWith(
      expect.anything(),
      'r1',
    );
    await call('post', '/admin/requests/r1/remind', EMPLOYEE).expect(403);
    services.outbox.revive.mockResolvedValue({ id: '7' });
    await call('post', '/admin/outbox/7/retry', ADMIN_USER).expect(200);
    expect(
      (await call('post', '/admin/outbox/x7/retry', ADMIN_USER)).body.error
        .message,
    ).toBe('id: must be a job id');
  });

  it('refuses an approver that is not an entity ref, and employees altogether', async () => {
    const { services, call } = await startRouterHarness();
    const bad = await call(
      'post',
      '/admin/requests/r1/approvers',
      ADMIN_USER,
    ).send({
      approver: 'tom',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(
      /^approver: must be a user or group entity ref/,
    );
    expect((await call('get', '/admin/outbox', EMPLOYEE)).status).toBe(403);
    expect(services.requests.nameApprover).not.toHaveBeenCalled();
    expect(services.outbox.list).not.toHaveBeenCalled();
  });
});
