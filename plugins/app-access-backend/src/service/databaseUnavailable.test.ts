import express from 'express';
import request from 'supertest';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { createServer } from 'node:net';
import knexFactory from 'knex';
import {
  databaseUnavailableErrors,
  isDatabaseUnavailable,
} from './databaseUnavailable';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise(r => server.close(r));
  return port;
}

function appThrowing(error: () => Promise<unknown>) {
  const app = express();
  app.get('/x', async (_req, _res, next) => {
    try {
      await error();
    } catch (e) {
      next(e);
    }
  });
  app.use(databaseUnavailableErrors());
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  return app;
}

describe('databaseUnavailableErrors', () => {
  it('answers 503 when PostgreSQL refuses the connection (a real pg client)', async () => {
    const port = await closedPort();
    const knex = knexFactory({
      client: 'pg',
      connection: { host: '127.0.0.1', port, user: 'postgres' },
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 5000,
      log: { warn() {}, error() {}, debug() {}, deprecate() {} },
    });
    try {
      const res = await request(appThrowing(() => knex.raw('select 1'))).get(
        '/x',
      );
      expect(res.status).toBe(503);
      expect(res.body.error.name).toBe('ServiceUnavailableError');
      expect(res.body.error.message).toMatch(/database is unavailable/);
    } finally {
      await knex.destroy();
    }
  });

  it('leaves other errors alone', async () => {
    const res = await request(
      appThrowing(async () => {
        throw new ConflictError('The request moved on');
      }),
    ).get('/x');
    expect(res.status).toBe(409);
    const plain = await request(
      appThrowing(async () => {
        throw new Error('column "nope" does not exist');
      }),
    ).get('/x');
    expect(plain.status).toBe(500);
  });

  it('recognises a server shutdown and a lost connection, also as a cause', () => {
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('terminating connection'), { code: '57P01' }),
      ),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        new Error('outer', {
          cause: new Error('Connection terminated unexpectedly'),
        }),
      ),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('duplicate key'), { code: '23505' }),
      ),
    ).toBe(false);
  });

  it('does not take a failed HTTP call for the database', async () => {
    const port = await closedPort();
    const failed = await fetch(`http://127.0.0.1:${port}/`).catch(e => e);
    expect(failed.cause?.code).toBe('ECONNREFUSED');
    expect(isDatabaseUnavailable(failed)).toBe(false);
    expect(
      isDatabaseUnavailable(new Error('submit failed', { cause: failed })),
    ).toBe(false);
  });
});
