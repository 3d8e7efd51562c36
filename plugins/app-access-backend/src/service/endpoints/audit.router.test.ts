import {
  ADMIN_USER,
  EMPLOYEE,
  startRouterHarness,
} from '../../__testUtils__/routerHarness';

describe('audit endpoint', () => {
  it('answers JSON pages, or CSV as a download with the same filters', async () => {
    const { services, call } = await startRouterHarness();
    services.audit.list.mockResolvedValue({ items: [] });
    await call('get', '/admin/audit?type=approved&limit=10', ADMIN_USER).expect(
      200,
    );
    expect(services.audit.list).toHaveBeenCalledWith(
      expect.objectContaining({ type: 'approved', limit: 10 }),
    );
    services.audit.csv.mockResolvedValue('at,actor\n');
    const csv = await call(
      'get',
      '/admin/audit?format=csv&type=approved',
      ADMIN_USER,
    );
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment/);
    expect(services.audit.csv).toHaveBeenCalledWith(
      expect.objectContaining({ type: 'approved', limit: 100 }),
    );
  });

  it("answers the checklist to audit readers only, in the contract's shape", async () => {
    const { services, call } = await startRouterHarness();
    const steps = [
      {
        id: 'deny-level-1',
        seen: true,
        requestId: 'r-1',
        at: '2026-01-02T03:04:05.000Z',
      },
      { id: 'ticket', seen: false },
    ];
    services.checklist.evaluate.mockResolvedValue({ steps });
    const res = await call('get', '/admin/checklist', ADMIN_USER).expect(200);
    expect(res.body).toEqual({ steps });
    await call('get', '/admin/checklist', EMPLOYEE).expect(403);
    await call('get', '/admin/checklist', '').expect(401);
    expect(services.checklist.evaluate).toHaveBeenCalledTimes(1);
  });
});
