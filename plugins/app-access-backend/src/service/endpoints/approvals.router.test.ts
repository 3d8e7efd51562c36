import {
  EMPLOYEE,
  startRouterHarness,
} from '../../__testUtils__/routerHarness';

describe('approval endpoints', () => {
  it('lists what waits for the caller and records a decision', async () => {
    const { services, call } = await startRouterHarness();
    services.requests.listPendingApprovals.mockResolvedValue({ items: [] });
    await call('get', '/approvals?limit=10', EMPLOYEE).expect(200);
    expect(services.requests.listPendingApprovals).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: EMPLOYEE }),
      { limit: 10, cursor: undefined },
    );
    services.requests.decide.mockResolvedValue({ id: 'r1' });
    await call('post', '/requests/r1/decisions', EMPLOYEE)
      .send({ decision: 'deny', comment: 'not needed' })
      .expect(200);
    expect(services.requests.decide).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: EMPLOYEE }),
      'r1',
      { decision: 'deny', comment: 'not needed' },
      expect.any(Function),
    );
  });

  it('refuses a decision the spec does not know with 400', async () => {
    const { services, call } = await startRouterHarness();
    const res = await call('post', '/requests/r1/decisions', EMPLOYEE).send({
      decision: 'maybe',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'decision: must be one of approve, deny',
    );
    expect(services.requests.decide).not.toHaveBeenCalled();
  });
});
