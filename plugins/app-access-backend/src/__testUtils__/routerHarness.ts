import express from 'express';
import request from 'supertest';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { createRouter } from '../service/createRouter';
import { AppAccessServices } from '../services';

/** Every method of every service as a jest mock, for one endpoint file's test. */
export type MockServices = {
  [K in keyof AppAccessServices]: {
    [M in keyof AppAccessServices[K]]: jest.Mock;
  };
};

function mockOf<T extends object>(methods: Array<keyof T>) {
  return Object.fromEntries(methods.map(m => [m, jest.fn()])) as any;
}

/**
 * The real router (guard, spec validation, binding) over mocked services:
 * what an endpoint file's test needs to check that a route reads its input,
 * calls the right service method and answers with the right status. A user
 * whose ref contains "admin" holds every App Access permission.
 */
export async function startRouterHarness() {
  const services: MockServices = {
    catalog: mockOf([
      'listApps',
      'getApp',
      'getPeers',
      'getApproverPreview',
      'listRecommendations',
      'listCategories',
      'listIndexed',
      'onBehalfOptions',
    ]),
    requests: mockOf([
      'submit',
      'submitIntake',
      'listMine',
      'get',
      'cancel',
      'listPendingApprovals',
      'decide',
      'listAll',
      'getAny',
      'retry',
      'nameApprover',
      'markFulfilled',
      'remindNow',
    ]),
    settings: mockOf(['view', 'update', 'testModule', 'syncStatus']),
    apps: mockOf(['list', 'get', 'save']),
    outbox: mockOf(['list', 'revive']),
    audit: mockOf(['list', 'csv']),
    checklist: mockOf(['evaluate']),
    people: mockOf(['get']),
    access: mockOf([
      'mine',
      'remove',
      'extend',
      'revoke',
      'revokeTier',
      'markRemoved',
      'heldForApp',
      'removals',
    ]),
    leavers: mockOf(['list', 'listGrantedToLeaver']),
    usage: mockOf(['get', 'history']),
    campaigns: mockOf([
      'preview',
      'list',
      'start',
      'get',
      'questions',
      'cancel',
      'end',
      'answer',
    ]),
  };
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, options) =>
      requests.map(() => ({
        result: JSON.stringify(options.credentials).includes('admin')
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
  });
  const router = await createRouter({
    httpAuth: mockServices.httpAuth(),
    userInfo: mockServices.userInfo(),
    permissions,
    auditor: mockServices.auditor.mock(),
    services: services as unknown as AppAccessServices,
  });
  const app = express();
  app.use(router);
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  const as = (user: string) => mockCredentials.user.header(user);
  return {
    services,
    /** supertest against the router with another plugin's service token. */
    callAsService(method: 'get' | 'post' | 'put', path: string) {
      return request(app)
        [method](path)
        .set('Authorization', mockCredentials.service.header());
    },
    /** supertest against the router, signed in as `user` (`''`: nobody). */
    call(method: 'get' | 'post' | 'put', path: string, user: string) {
      return request(app)
        [method](path)
        .set('Authorization', user ? as(user) : mockCredentials.none.header());
    },
  };
}

export const EMPLOYEE = 'user:default/jane.doe';
export const ADMIN_USER = 'user:default/ivan.admin';
