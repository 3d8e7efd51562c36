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
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, any>).map(
        ([method, operation]) => ({ path, method, operation }),
      ),
    );
    expect(
      operations
        .filter(
          ({ operation }) => !/^[A-Z]\w+$/.test(operation.operationId ?? ''),
        )
        .map(({ method, path }) => `${method} ${path}`),
    ).toEqual([]);
    expect(
      operations
        .filter(({ path }) => path !== '/health')
        .filter(
          ({ operation }) =>
            operation.responses?.default?.$ref !==
            '#/components/responses/ErrorResponse',
        )
        .map(({ method, path }) => `${method} ${path}`),
    ).toEqual([]);
  });
});
