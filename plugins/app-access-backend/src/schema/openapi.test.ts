import express from 'express';
import { mockServices } from '@backstage/backend-test-utils';
import { spec } from './openapi/generated/router';
import { createRouter } from '../service/createRouter';
import { AppAccessServices } from '../services';

type Layer = {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
};

function routesOf(stack: Layer[]): string[] {
  return stack.flatMap(layer => {
    if (layer.route) {
      return Object.keys(layer.route.methods).map(
        method => `${method} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`,
      );
    }
    return layer.handle?.stack ? routesOf(layer.handle.stack) : [];
  });
}

/** openapi.yaml is the contract: the router serves exactly its operations, and no other. */
describe('openapi.yaml', () => {
  it('has a handler bound for every operation, and no route it does not declare', async () => {
    const router = (await createRouter({
      httpAuth: mockServices.httpAuth.mock(),
      userInfo: mockServices.userInfo.mock(),
      permissions: mockServices.permissions.mock(),
      auditor: mockServices.auditor.mock(),
      services: {} as AppAccessServices,
    })) as unknown as express.Router & { stack: Layer[] };
    const served = routesOf(router.stack).filter(
      // Backstage's validated router serves the spec itself.
      r => r !== 'get /openapi.json',
    );
    const declared = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map(method => `${method} ${path}`),
    );
    expect(served.length).toBeGreaterThan(25);
    expect([...served].sort()).toEqual([...declared].sort());
  });

  it('names an operation id and an error response for every operation', () => {
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(methods) as [
        string,
        any,
      ][]) {
        expect(`${method} ${path} ${operation.operationId}`).toMatch(
          /^\w+ \S+ [A-Z]\w+$/,
        );
        if (path !== '/health') {
          expect(operation.responses.default).toEqual({
            $ref: '#/components/responses/ErrorResponse',
          });
        }
      }
    }
  });
});
