import {
  EMPLOYEE,
  startRouterHarness,
} from '../../__testUtils__/routerHarness';

describe('catalog endpoints', () => {
  it('passes the typed query to the catalog and answers its page', async () => {
    const { services, call } = await startRouterHarness();
    services.catalog.listApps.mockResolvedValue({ items: [] });
    const res = await call('get', '/apps?sort=team&limit=5&q=fig', EMPLOYEE);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
    expect(services.catalog.listApps).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: EMPLOYEE }),
      expect.objectContaining({ sort: 'team', limit: 5, q: 'fig' }),
    );
  });

  it('reads free text as browsers encode it (spaces as +, reserved characters)', async () => {
    const { services, call } = await startRouterHarness();
    services.catalog.listApps.mockResolvedValue({ items: [] });
    const query = new URLSearchParams({
      q: 'E2E Whiteboard: v2+',
      category: 'R&D',
    });
    await call('get', `/apps?${query}`, EMPLOYEE).expect(200);
    expect(services.catalog.listApps).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ q: 'E2E Whiteboard: v2+', category: 'R&D' }),
    );
  });

  it('refuses a damaged cursor and a query the spec does not allow before calling the catalog', async () => {
    const { services, call } = await startRouterHarness();
    expect(
      (await call('get', '/apps?cursor=nope', EMPLOYEE)).body.error.message,
    ).toBe('cursor: not a cursor this list returned');
    expect((await call('get', '/apps?sort=random', EMPLOYEE)).status).toBe(400);
    expect(
      (await call('get', '/recommendations?limit=51', EMPLOYEE)).status,
    ).toBe(400);
    expect(services.catalog.listApps).not.toHaveBeenCalled();
    expect(services.catalog.listRecommendations).not.toHaveBeenCalled();
  });

  it('binds the app, peers, approver preview and categories routes', async () => {
    const { services, call } = await startRouterHarness();
    services.catalog.getApproverPreview.mockResolvedValue({
      needsApproval: false,
      levels: [],
    });
    services.catalog.listCategories.mockResolvedValue({ items: ['Design'] });
    await call('get', '/apps/figma/tiers/viewer/approvers', EMPLOYEE).expect(
      200,
    );
    expect(services.catalog.getApproverPreview).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: EMPLOYEE }),
      'figma',
      'viewer',
    );
    expect((await call('get', '/categories', EMPLOYEE)).body).toEqual({
      items: ['Design'],
    });
    services.catalog.onBehalfOptions.mockResolvedValue({
      rule: 'reports',
      reports: [{ ref: 'user:default/kim.lee', displayName: 'Kim Lee' }],
    });
    const options = await call('get', '/on-behalf', EMPLOYEE);
    expect(options.status).toBe(200);
    expect(options.body.reports).toEqual([
      { ref: 'user:default/kim.lee', displayName: 'Kim Lee' },
    ]);
    expect(services.catalog.onBehalfOptions).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: EMPLOYEE }),
    );
  });
});
