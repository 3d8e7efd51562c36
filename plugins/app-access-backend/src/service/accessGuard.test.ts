import express from 'express';
import request from 'supertest';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { spec } from '../schema/openapi/generated/router';
import { callOf, createAccessGuard, VerifiedTokens } from './accessGuard';

/** The guard in front of one route that answers who it saw, and how often Backstage checked a token. */
function guarded(options: {
  verifiedTokens: VerifiedTokens;
  httpAuth?: HttpAuthService;
}) {
  const httpAuth = options.httpAuth ?? mockServices.httpAuth();
  const checks = jest.spyOn(httpAuth, 'credentials');
  const app = express();
  app.use(
    createAccessGuard({
      spec: spec as any,
      httpAuth,
      userInfo: mockServices.userInfo(),
      permissions: mockServices.permissions(),
      verifiedTokens: options.verifiedTokens,
    }),
  );
  app.get('/apps', (_req, res) => {
    res.json({ user: callOf(res).caller.userRef });
  });
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  return { app, checks };
}

describe('access guard: verified user tokens', () => {
  const alice = 'user:default/alice';
  const bob = 'user:default/bob';

  it('checks a token once and serves the same caller from it for the next requests', async () => {
    const { app, checks } = guarded({ verifiedTokens: new VerifiedTokens() });
    for (let i = 0; i < 3; i++) {
      const res = await request(app)
        .get('/apps')
        .set('authorization', mockCredentials.user.header(alice));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ user: alice });
    }
    expect(checks).toHaveBeenCalledTimes(1);
    // Another user's token is its own entry.
    const res = await request(app)
      .get('/apps')
      .set('authorization', mockCredentials.user.header(bob));
    expect(res.body).toEqual({ user: bob });
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it('checks the token again once the entry is older than its time to live', async () => {
    let now = 1_000_000;
    const { app, checks } = guarded({
      verifiedTokens: new VerifiedTokens(5_000, 100, () => now),
    });
    const get = () =>
      request(app)
        .get('/apps')
        .set('authorization', mockCredentials.user.header(alice));
    await get();
    now += 4_999;
    await get();
    expect(checks).toHaveBeenCalledTimes(1);
    now += 2;
    expect((await get()).status).toBe(200);
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it('never keeps a refused token: each request with it is checked and refused', async () => {
    const { app, checks } = guarded({ verifiedTokens: new VerifiedTokens() });
    for (let i = 0; i < 2; i++) {
      const res = await request(app)
        .get('/apps')
        .set('authorization', mockCredentials.user.invalidHeader());
      expect(res.status).toBe(401);
    }
    expect(checks).toHaveBeenCalledTimes(2);
    // A service token on a user route: refused each time too.
    for (let i = 0; i < 2; i++) {
      const res = await request(app)
        .get('/apps')
        .set('authorization', mockCredentials.service.header());
      expect(res.status).toBe(403);
    }
    expect(checks).toHaveBeenCalledTimes(4);
  });

  it('does not keep credentials past their own expiry', () => {
    let now = 1_000_000;
    const tokens = new VerifiedTokens(5_000, 100, () => now);
    tokens.set('t', {
      ...mockCredentials.user(alice),
      expiresAt: new Date(now + 1_000),
    });
    expect(tokens.get('t')?.principal).toEqual({ type: 'user', userEntityRef: alice });
    now += 1_000;
    expect(tokens.get('t')).toBeUndefined();
    // Already expired: not kept at all.
    tokens.set('u', { ...mockCredentials.user(alice), expiresAt: new Date(now) });
    expect(tokens.get('u')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the expired and then the oldest', () => {
    let now = 0;
    const tokens = new VerifiedTokens(5_000, 2, () => now);
    tokens.set('a', mockCredentials.user('user:default/a'));
    now += 3_000;
    tokens.set('b', mockCredentials.user('user:default/b'));
    now += 2_500; // a expired, b alive
    tokens.set('c', mockCredentials.user('user:default/c'));
    expect(tokens.get('b')).toBeDefined();
    expect(tokens.get('c')).toBeDefined();
    tokens.set('d', mockCredentials.user('user:default/d')); // full: b (oldest) goes
    expect(tokens.get('b')).toBeUndefined();
    expect(tokens.get('c')).toBeDefined();
    expect(tokens.get('d')).toBeDefined();
  });

  it('checks every time when Backstage read the user from somewhere other than the bearer header', async () => {
    // A deployment's own getTokenFromRequest: the user comes from another
    // header, so the bearer header alone must never stand for them.
    const base = mockServices.httpAuth();
    const httpAuth: HttpAuthService = {
      credentials: (async (req: express.Request, options: any) =>
        base.credentials(
          {
            ...req,
            headers: { authorization: req.headers['x-real-token'] },
          } as any,
          options,
        )) as HttpAuthService['credentials'],
      issueUserCookie: base.issueUserCookie.bind(base),
    };
    const { app, checks } = guarded({
      verifiedTokens: new VerifiedTokens(),
      httpAuth,
    });
    const first = await request(app)
      .get('/apps')
      .set('authorization', 'Bearer same')
      .set('x-real-token', mockCredentials.user.header(alice));
    expect(first.body).toEqual({ user: alice });
    const second = await request(app)
      .get('/apps')
      .set('authorization', 'Bearer same')
      .set('x-real-token', mockCredentials.user.header(bob));
    expect(second.body).toEqual({ user: bob });
    expect(checks).toHaveBeenCalledTimes(2);
  });
});
