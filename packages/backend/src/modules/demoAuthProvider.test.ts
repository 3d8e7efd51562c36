import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import authPlugin from '@backstage/plugin-auth-backend';
import request from 'supertest';
import { demoAuthProviderModule } from './demoAuthProvider';

jest.setTimeout(60_000);

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: {
      name: 'jane.doe',
      namespace: 'default',
      annotations: { 'app-access/title': 'Software Engineer' },
    },
    spec: {
      profile: { displayName: 'Jane Doe', email: 'jane.doe@acme.example' },
      memberOf: ['engineering'],
    },
  },
];

/** Warnings logged by the backend under test, by any plugin. */
let warnings: string[] = [];

async function start(environment: string) {
  warnings = [];
  const logger = mockServices.logger.mock({
    warn: (message: string) => {
      warnings.push(message);
    },
  });
  logger.child.mockReturnValue(logger);
  return startTestBackend({
    features: [
      authPlugin,
      demoAuthProviderModule,
      logger.factory,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          backend: { baseUrl: 'http://localhost:7007' },
          auth: { environment, providers: { demo: {} } },
        },
      }),
    ],
  });
}

describe('demo sign-in', () => {
  it('signs a catalog user in by the x-demo-user header and lists the example users', async () => {
    const backend = await start('development');
    const server = backend.server;
    try {
      const ok = await request(server)
        .get('/api/auth/demo/refresh?env=development')
        .set('x-demo-user', 'jane.doe');
      expect(ok.status).toBe(200);
      expect(ok.body.backstageIdentity.token).toEqual(expect.any(String));
      expect(ok.body.backstageIdentity.identity.userEntityRef).toBe(
        'user:default/jane.doe',
      );

      const unknown = await request(server)
        .get('/api/auth/demo/refresh?env=development')
        .set('x-demo-user', 'nobody.here');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toMatch(
        /Unknown demo user 'nobody\.here'/,
      );

      const missing = await request(server).get(
        '/api/auth/demo/refresh?env=development',
      );
      expect(missing.status).toBe(401);
      expect(missing.body.error.message).toMatch(/x-demo-user/);

      const users = await request(server).get('/api/auth/demo-users');
      expect(users.status).toBe(200);
      expect(users.body.items).toEqual([
        expect.objectContaining({
          name: 'jane.doe',
          displayName: 'Jane Doe',
          title: 'Software Engineer',
        }),
      ]);
      expect(warnings).toContainEqual(
        expect.stringMatching(/Demo sign-in is enabled/),
      );
    } finally {
      await backend.stop();
    }
  });

  it('is refused when auth.environment is production', async () => {
    const backend = await start('production');
    const server = backend.server;
    try {
      const res = await request(server)
        .get('/api/auth/demo/refresh?env=production')
        .set('x-demo-user', 'jane.doe');
      expect(res.status).toBe(404);
      expect((await request(server).get('/api/auth/demo-users')).status).toBe(
        404,
      );
      expect(warnings).toContainEqual(
        expect.stringMatching(
          /refused because auth\.environment is production/,
        ),
      );
    } finally {
      await backend.stop();
    }
  });

  describe('when NODE_ENV is production', () => {
    const nodeEnv = process.env.NODE_ENV;
    beforeEach(() => {
      process.env.NODE_ENV = 'production';
    });
    afterEach(() => {
      process.env.NODE_ENV = nodeEnv;
    });

    it('is refused even though auth.environment says development', async () => {
      const backend = await start('development');
      const server = backend.server;
      try {
        const res = await request(server)
          .get('/api/auth/demo/refresh?env=development')
          .set('x-demo-user', 'jane.doe');
        expect(res.status).toBe(404);
        expect((await request(server).get('/api/auth/demo-users')).status).toBe(
          404,
        );
        expect(warnings).toContainEqual(
          expect.stringMatching(/refused because NODE_ENV is production/),
        );
        expect(warnings).not.toContainEqual(
          expect.stringMatching(/Demo sign-in is enabled/),
        );
      } finally {
        await backend.stop();
      }
    });
  });
});
