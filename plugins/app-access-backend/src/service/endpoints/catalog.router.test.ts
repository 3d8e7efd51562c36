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

  it('answers the search index to another plugin only', async () => {
    const { services, call, callAsService } = await startRouterHarness();
    services.catalog.listIndexed.mockResolvedValue({
      items: [{ id: 'figma', name: 'Figma', category: 'Design', tiers: [] }],
    });
    const res = await callAsService('get', '/index/apps?limit=10');
    expect(res.status).toBe(200);
    expect(res.body.items[0].id).toBe('figma');
    expect(services.catalog.listIndexed).toHaveBeenCalledWith({
      limit: 10,
      cursor: undefined,
    });
    // People use /apps; the index is not theirs to read.
    expect((await call('get', '/index/apps', EMPLOYEE)).status).toBe(403);
    expect((await call('get', '/index/apps', '')).status).toBe(401);
    expect(services.catalog.listIndexed).toHaveBeenCalledTimes(1);
  });

  it("passes the caller and the person to the person's access", async () => {
    const { services, call } = await startRouterHarness();
    services.people.get.mockResolvedValue({
      user: EMPLOYEE,
      access: [],
      open: [],
    });
    const res = await call(
      'get',
      `/person-access?user=${encodeURIComponent(EMPLOYEE)}`,
      EMPLOYEE,
    );
    expect(res.status).toBe(200);
    expect(services.people.get).toHaveBeenCalledWith(
      expect.objectContaining({ userRef: EMPLOYEE }),
      EMPLOYEE,
    );
    const bad = await call(
      'get',
      '/person-access?user=group:default/x',
      EMPLOYEE,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('user');
    expect(services.people.get).toHaveBeenCalledTimes(1);
  });
});
