import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import { RequestEvent } from '@app-access/plugin-app-access-common';
import { eventsToCsv } from '../services/auditCsv';
import {
  AppAccessTestBackend,
  BOB,
  IVAN,
  JANE,
  KIM,
  SAM,
  as,
  startAppAccessTestBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const BASE = '/api/app-access';
const NUL = '\u0000';

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'hostile input and output on %s',
  databaseId => {
    let backend: AppAccessTestBackend;

    beforeAll(async () => {
      backend = await startAppAccessTestBackend({
        knex: await databases.init(databaseId),
      });
    });

    afterAll(async () => {
      await backend?.stop();
    });

    const api = () => request(backend.server);
    const call = (
      method: 'get' | 'post' | 'put',
      path: string,
      user: string,
      options: { query?: Record<string, string>; body?: unknown } = {},
    ) => {
      const req = api()
        [method](`${BASE}${path}`)
        .set('Authorization', as(user))
        .query(options.query ?? {});
      return options.body === undefined ? req : req.send(options.body as any);
    };

    describe('control characters', () => {
      it.each([
        ['an app id in the path', 'get', '/apps/%00notion', JANE, {}, 'id'],
        ['a request id in the path', 'get', '/requests/a%00b', JANE, {}, 'id'],
        [
          'a request id to cancel',
          'post',
          '/requests/%1b%5b2J/cancel',
          JANE,
          {},
          'id',
        ],
        [
          'a request id to decide',
          'post',
          '/requests/x%00/decisions',
          SAM,
          { body: { decision: 'approve' } },
          'id',
        ],
        [
          'a tier id in the path',
          'get',
          '/apps/notion/tiers/editor%0a/approvers',
          JANE,
          {},
          'tierId',
        ],
        [
          'the catalog search',
          'get',
          '/apps',
          JANE,
          { query: { q: `no${NUL}tion` } },
          'q',
        ],
        [
          'a category filter',
          'get',
          '/admin/apps',
          IVAN,
          { query: { category: `Design${NUL}` } },
          'category',
        ],
        [
          'a cursor',
          'get',
          '/requests',
          JANE,
          { query: { cursor: `abc${NUL}` } },
          'cursor',
        ],
        [
          'a status filter',
          'get',
          '/requests',
          JANE,
          { query: { status: `submitted,${NUL}` } },
          'status',
        ],
        [
          'an audit actor filter',
          'get',
          '/admin/audit',
          IVAN,
          { query: { actor: `user:default/x${NUL}` } },
          'actor',
        ],
        [
          'an audit type filter',
          'get',
          '/admin/audit',
          IVAN,
          { query: { type: `approved\r\n` } },
          'type',
        ],
        [
          'an admin requester filter',
          'get',
          '/admin/requests',
          IVAN,
          { query: { requester: `user:default/${NUL}` } },
          'requester',
        ],
        [
          'a justification (NUL)',
          'post',
          '/requests',
          BOB,
          {
            body: {
              appId: 'notion',
              tierId: 'editor',
              justification: `need${NUL}it`,
            },
          },
          'justification',
        ],
        [
          'a body id',
          'post',
          '/requests',
          BOB,
          { body: { appId: `notion${NUL}`, tierId: 'editor' } },
          'appId',
        ],
        [
          'an intake name (line break)',
          'post',
          '/requests/intake',
          BOB,
          { body: { name: 'Linear\nEvil', justification: 'Tracking' } },
          'name',
        ],
        [
          'a decision comment (escape)',
          'post',
          '/requests/x/decisions',
          SAM,
          { body: { decision: 'deny', comment: 'no\u001b[31m' } },
          'comment',
        ],
        [
          'a tier name nested in an app',
          'put',
          '/admin/apps/hostile',
          IVAN,
          {
            body: {
              name: 'Hostile',
              category: 'Misc',
              tiers: [{ id: 'basic', name: `Basic${NUL}` }],
            },
          },
          'tiers.0.name',
        ],
        [
          'a key of externalIds',
          'put',
          '/admin/apps/hostile',
          IVAN,
          {
            body: {
              name: 'Hostile',
              category: 'Misc',
              externalIds: { [`okta${NUL}`]: '0oa1' },
            },
          },
          'externalIds',
        ],
        [
          'a settings value',
          'put',
          '/settings',
          IVAN,
          { body: { branding: { title: `Portal${NUL}` } } },
          'branding.title',
        ],
      ] as const)(
        'refuses %s with 400 naming the field',
        async (_what, method, path, user, options, field) => {
          const res = await call(method, path, user, options);
          expect(res.status).toBe(400);
          expect(res.body.error).toEqual({
            name: 'InputError',
            message: `${field}: must not contain control characters`,
          });
        },
      );

      it('keeps tabs and line breaks in multi-line text, and stores it as sent', async () => {
        const justification = 'Line one\r\n\tLine two\nLine three';
        const res = await call('post', '/requests', KIM, {
          body: { appId: 'notion', tierId: 'editor', justification },
        });
        expect(res.status).toBe(201);
        expect(res.body.justification).toBe(justification);

        const app = await call('put', '/admin/apps/multi-line', IVAN, {
          body: {
            name: 'Multi-line',
            category: 'Misc',
            description: 'First paragraph.\n\nSecond\tparagraph.',
            tiers: [{ id: 'basic', name: 'Basic', description: 'a\nb' }],
          },
        });
        expect(app.status).toBe(200);
        expect(app.body.description).toBe(
          'First paragraph.\n\nSecond\tparagraph.',
        );
      });

      it('refuses other control characters in multi-line text', async () => {
        const res = await call('post', '/requests', KIM, {
          body: {
            appId: 'notion',
            tierId: 'viewer',
            justification: 'bell\u0007',
          },
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toBe(
          'justification: must not contain control characters',
        );
      });
    });

    describe('date-time filters', () => {
      it.each([
        '2026-01-01T00:00:00+99:99',
        '2026-01-01T24:00:00Z',
        '2026-12-31T23:59:60+05:00',
        '2026-02-30T00:00:00Z',
      ])('refuses since=%s, which no Date can hold, with 400', async since => {
        for (const field of ['since', 'until']) {
          const res = await call('get', '/admin/audit', IVAN, {
            query: { [field]: since },
          });
          expect([field, res.status]).toEqual([field, 400]);
          expect(res.body.error.message).toBe(
            `${field}: must be a valid date-time`,
          );
        }
      });
    });

    describe('URLs', () => {
      const app = (patch: Record<string, unknown>) => ({
        name: 'Linked',
        category: 'Misc',
        ...patch,
      });

      it.each([
        [
          'an intake url',
          'post',
          '/requests/intake',
          BOB,
          (url: string) => ({ name: 'Linear', url, justification: 'Tracking' }),
          'url',
        ],
        [
          'an app url',
          'put',
          '/admin/apps/linked',
          IVAN,
          (url: string) => app({ url }),
          'url',
        ],
        [
          'an app logo url',
          'put',
          '/admin/apps/linked',
          IVAN,
          (url: string) => app({ logo: { url } }),
          'logo.url',
        ],
        [
          'the branding logo',
          'put',
          '/settings',
          IVAN,
          (url: string) => ({ branding: { logoUrl: url } }),
          'branding.logoUrl',
        ],
      ] as const)(
        'takes only http and https in %s',
        async (_what, method, path, user, body, field) => {
          for (const url of [
            // eslint-disable-next-line no-script-url -- what must be refused
            'javascript:alert(1)',
            'data:text/html,<script>alert(1)</script>',
            'file:///etc/passwd',
            'ftp://files.example.com/logo.png',
          ]) {
            const res = await call(method, path, user, { body: body(url) });
            expect([url, res.status]).toEqual([url, 400]);
            expect(res.body.error.message).toBe(
              `${field}: must be an http(s) URL`,
            );
          }
          for (const url of [
            'https://linear.app/logo.png',
            'HTTP://intranet.example.com/',
          ]) {
            const res = await call(method, path, user, { body: body(url) });
            expect([url, res.status]).toEqual([
              url,
              method === 'post' ? 201 : 200,
            ]);
          }
        },
      );
    });

    it('exports a comment that is a formula in a ;-separator locale quoted and defused', async () => {
      const submitted = await call('post', '/requests', BOB, {
        body: {
          appId: 'notion',
          tierId: 'editor',
          justification: '=HYPERLINK("https://evil.example","x")',
        },
      });
      expect(submitted.status).toBe(201);
      // bob.other has no manager: the fallback approver decides.
      const decided = await call(
        'post',
        `/requests/${submitted.body.id}/decisions`,
        'user:default/fiona.fallback',
        { body: { decision: 'deny', comment: 'x;=1+1' } },
      );
      expect(decided.status).toBe(200);

      const res = await call('get', '/admin/audit', IVAN, {
        query: { format: 'csv', requestId: submitted.body.id },
      });
      expect(res.status).toBe(200);
      const rows = res.text.trimEnd().split('\r\n');
      for (const row of rows) {
        expect(row).toMatch(/^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/);
      }
      const denied = rows.find(r => r.includes('"denied"'));
      expect(denied).toContain(`"x;'=1+1"`);
      expect(res.text).not.toMatch(/(^|[",;])=/m);
    });
  },
);

describe('eventsToCsv', () => {
  const event = (comment: string): RequestEvent => ({
    id: '7',
    at: '2026-03-01T10:00:00.000Z',
    actor: 'user:default/jane.doe',
    type: 'approved',
    comment,
  });

  it.each([
    ['=1+1', `"'=1+1"`],
    ['+1', `"'+1"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=1', `"\t'=1"`],
    ['x;=1+1', `"x;'=1+1"`],
    ['a\n=cmd', `"a\n'=cmd"`],
    ['\uff1d1+1', `"'\uff1d1+1"`],
    ['say "hi", then go', `"say ""hi"", then go"`],
    ['plain', `"plain"`],
  ])('writes the comment %j as the cell %s', (comment, expected) => {
    const [, row] = eventsToCsv([event(comment)]).split('\r\n');
    expect(row).toBe(
      `"7","2026-03-01T10:00:00.000Z","user:default/jane.doe","approved","","","","","",${expected},""`,
    );
  });
});
