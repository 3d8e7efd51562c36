import {
  EMPLOYEE,
  startRouterHarness,
} from '../../__testUtils__/routerHarness';

describe('meta endpoints', () => {
  it('answers health without a token, and the statuses only with one', async () => {
    const { call } = await startRouterHarness();
    const health = await call('get', '/health', '');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    expect((await call('get', '/meta', '')).status).toBe(401);
    expect((await call('get', '/meta', EMPLOYEE)).body.openStatuses).toContain(
      'pending_approval',
    );
  });
});
