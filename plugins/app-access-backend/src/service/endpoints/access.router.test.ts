import {
  ADMIN_USER,
  EMPLOYEE,
  startRouterHarness,
} from '../../__testUtils__/routerHarness';

const grant = {
  id: 'g1',
  appId: 'pagerduty',
  tierId: 'responder',
  appName: 'PagerDuty',
  tierName: 'Responder',
  grantee: EMPLOYEE,
  requestId: 'r1',
  grantedAt: '2026-12-01T10:00:00.000Z',
  endsAt: '2026-12-08T10:00:00.000Z',
  status: 'active',
};

describe('access endpoints', () => {
  it('binds My access, remove and extend for the caller', async () => {
    const { services, call } = await startRouterHarness();
    services.access.mine.mockResolvedValue({ items: [grant] });
    const mine = await call('get', '/me/access', EMPLOYEE).expect(200);
    expect(mine.body.items).toEqual([grant]);
    expect(services.access.mine).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: EMPLOYEE }),
    );

    services.access.remove.mockResolvedValue({ ...grant, status: 'removing' });
    await call('post', '/grants/g1/remove', EMPLOYEE).expect(200);
    expect(services.access.remove).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: EMPLOYEE }),
      'g1',
    );

    services.access.extend.mockResolvedValue({
      id: 'r2',
      kind: 'access',
      appName: 'PagerDuty',
      requester: EMPLOYEE,
      status: 'pending_approval',
      level: 1,
      createdAt: grant.grantedAt,
      updatedAt: grant.grantedAt,
    });
    await call('post', '/grants/g1/extend', EMPLOYEE)
      .send({ durationDays: 7, justification: 'Another on-call week' })
      .expect(201);
    expect(services.access.extend).toHaveBeenCalledWith(
      expect.anything(),
      'g1',
      { durationDays: 7, justification: 'Another on-call week' },
    );
  });

  it('refuses an extension without days or a reason, naming the field', async () => {
    const { services, call } = await startRouterHarness();
    const res = await call('post', '/grants/g1/extend', EMPLOYEE)
      .send({ durationDays: 0, justification: 'x' })
      .expect(400);
    expect(res.body.error.message).toMatch(/durationDays/);
    const missing = await call('post', '/grants/g1/extend', EMPLOYEE)
      .send({ durationDays: 3 })
      .expect(400);
    expect(missing.body.error.message).toMatch(/justification/);
    expect(services.access.extend).not.toHaveBeenCalled();
  });

  it('lets admins revoke one grant or a whole tier with a reason; employees get 403', async () => {
    const { services, call } = await startRouterHarness();
    services.access.revoke.mockResolvedValue({ ...grant, status: 'removing' });
    await call('post', '/admin/grants/g1/revoke', ADMIN_USER)
      .send({ reason: 'Left the on-call rotation' })
      .expect(200);
    expect(services.access.revoke).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: ADMIN_USER }),
      'g1',
      'Left the on-call rotation',
    );
    services.access.revokeTier.mockResolvedValue({ items: [] });
    await call(
      'post',
      '/admin/apps/pagerduty/tiers/responder/revoke',
      ADMIN_USER,
    )
      .send({ reason: 'Licence renewal' })
      .expect(200);
    expect(services.access.revokeTier).toHaveBeenCalledWith(
      expect.anything(),
      'pagerduty',
      'responder',
      'Licence renewal',
    );
    const noReason = await call('post', '/admin/grants/g1/revoke', ADMIN_USER)
      .send({})
      .expect(400);
    expect(noReason.body.error.message).toMatch(/reason/);
    await call('post', '/admin/grants/g1/revoke', EMPLOYEE)
      .send({ reason: 'x' })
      .expect(403);
    services.access.heldForApp.mockResolvedValue({ items: [grant] });
    await call('get', '/admin/apps/pagerduty/grants', ADMIN_USER).expect(200);
    await call('get', '/admin/apps/pagerduty/grants', EMPLOYEE).expect(403);
    services.access.markRemoved.mockResolvedValue({
      ...grant,
      status: 'removed',
    });
    await call('post', '/admin/grants/g1/mark-removed', ADMIN_USER)
      .send({ note: 'Removed in the console' })
      .expect(200);
    expect(services.access.markRemoved).toHaveBeenCalledWith(
      expect.anything(),
      'g1',
      'Removed in the console',
    );
  });

  it('lists the removals for request oversight', async () => {
    const { services, call } = await startRouterHarness();
    const handed = {
      ...grant,
      status: 'removing',
      removalHandler: 'manual',
    };
    services.access.removals.mockResolvedValue({ items: [handed] });
    const res = await call('get', '/admin/removals', ADMIN_USER).expect(200);
    expect(res.body.items).toEqual([handed]);
    expect(services.access.removals).toHaveBeenCalled();
  });
});
