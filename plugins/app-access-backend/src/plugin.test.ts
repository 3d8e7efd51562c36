import { startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import appAccessPlugin from '.';

describe('app-access backend plugin', () => {
  it('answers /health without authentication', async () => {
    const { server } = await startTestBackend({ features: [appAccessPlugin] });
    const res = await request(server)
      .get('/api/app-access/health')
      .set('Authorization', 'Bearer mock-none-token');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
