import {
  EMPLOYEE,
  startRouterHarness,
} from '../../__testUtils__/routerHarness';

describe('request endpoints', () => {
  it('creates a request with 201 and hands the body to the service', async () => {
    const { services, call } = await startRouterHarness();
    services.requests.submit.mockResolvedValue({ id: 'r1' });
    const res = await call('post', '/requests', EMPLOYEE).send({
      appId: 'figma',
      tierId: 'viewer',
      justification: 'design reviews',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: 'r1' });
    expect(services.requests.submit).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: EMPLOYEE }),
      { appId: 'figma', tierId: 'viewer', justification: 'design reviews' },
    );
  });

  it('refuses a body that breaks the spec with 400 naming the field, without calling the service', async () => {
    const { services, call } = await startRouterHarness();
    const res = await call('post', '/requests/intake', EMPLOYEE).send({
      name: 'Excalidraw',
      justification: 'x',
      url: 12,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('url: must be text');
    expect(services.requests.submitIntake).not.toHaveBeenCalled();
  });

  it('reads and cancels with a read-all check the service can ask for', async () => {
    const { services, call } = await startRouterHarness();
    services.requests.get.mockImplementation(async (_c, _id, canReadAll) => ({
      readAll: await canReadAll(),
    }));
    expect((await call('get', '/requests/r1', EMPLOYEE)).body).toEqual({
      readAll: false,
    });
    services.requests.cancel.mockResolvedValue({
      id: 'r1',
      status: 'cancelled',
    });
    await call('post', '/requests/r1/cancel', EMPLOYEE).expect(200);
    expect(services.requests.cancel).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: EMPLOYEE }),
      'r1',
      expect.any(Function),
    );
  });
});
