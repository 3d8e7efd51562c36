import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';

/** Every route the router serves is described in openapi.yaml, and nothing else is. */
describe('openapi.yaml', () => {
  const spec = yaml.load(
    readFileSync(resolve(__dirname, 'openapi.yaml'), 'utf8'),
  ) as { paths: Record<string, Record<string, unknown>> };
  const routerSource = readFileSync(
    resolve(__dirname, '../service/router.ts'),
    'utf8',
  );
  const routes = [
    ...routerSource.matchAll(/router\.(get|post|put|delete)\(\s*'([^']+)'/g),
  ].map(([, method, path]) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  const documented = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map(method => `${method} ${path}`),
  );

  it('documents every route of the router', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(documented.sort()).toEqual([...new Set(routes)].sort());
  });
});
