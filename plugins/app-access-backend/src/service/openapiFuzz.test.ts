import http from 'node:http';
import fc from 'fast-check';
import { TestDatabases } from '@backstage/backend-test-utils';
import { spec } from '../schema/openapi/generated/router';
import {
  AppAccessTestBackend,
  IVAN,
  JANE,
  as,
  startAppAccessTestBackend,
} from '../__testUtils__/testBackend';

/*
 * Malformed calls to every route of openapi.yaml, as an admin and as an
 * employee: no answer may be a 5xx, every 4xx must be a Backstage error body,
 * and nothing may reject unhandled (jest-circus fails the running test on an
 * unhandled rejection, with its stack). FUZZ_CALLS (default 10,000 per database)
 * sets how many calls, FUZZ_SEED repeats a run, FUZZ_CONCURRENCY bounds the
 * calls in flight.
 */
const CALLS = Number(process.env.FUZZ_CALLS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);
/** Calls per property run; a failing run names its calls. */
const BATCH = 25;
const MAX_DEPTH = 4;

jest.setTimeout(20 * 60_000);

type Schema = Record<string, any>;
type Parameter = {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
};
type Operation = {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
};

const specDoc = spec as unknown as {
  paths: Record<string, Record<string, Schema>>;
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, Parameter>;
  };
};

function deref<T = Schema>(node: any): T {
  let current = node;
  for (let i = 0; current?.$ref && i < 20; i++) {
    const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(
      current.$ref,
    ) as RegExpExecArray;
    current = (specDoc.components as any)[kind][name];
  }
  return current;
}

const OPERATIONS: Operation[] = Object.entries(specDoc.paths).flatMap(
  ([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      parameters: (operation.parameters ?? []).map((p: unknown) =>
        deref<Parameter>(p),
      ),
      body: operation.requestBody?.content?.['application/json']?.schema,
    })),
);

// --- hostile values -------------------------------------------------------

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\r\n',
  '\t',
  '\u001b[2J',
  '\u007f',
  '\u2028',
  '\ufeff',
  '\ud800',
  '\udfff',
  'é',
  'İ',
  'ß',
  '٣',
  '💥'.repeat(60),
  'null',
  'undefined',
  'true',
  '0',
  '-0',
  '-1',
  'NaN',
  'Infinity',
  '1e309',
  '9'.repeat(40),
  '__proto__',
  'constructor',
  'prototype',
  '../../etc/passwd',
  '%00',
  '%zz',
  "'; drop table requests; --",
  '" or 1=1 --',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '=1+1',
  // eslint-disable-next-line no-script-url -- a link the API must refuse
  'javascript:alert(1)',
  'user:default/jane.doe',
  'group:default/it-admins',
  '2026-02-30',
  '2026-01-01T00:00:00+99:99',
  '0000-00-00T00:00:00Z',
];

const ODD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.0001,
  1e308,
  -1e308,
  2 ** 53 + 2,
  2 ** 63,
  [],
  {},
  [null],
  JSON.parse('{"__proto__":{"admin":true}}'),
  { constructor: { prototype: { admin: true } } },
];

const controlText = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0x1f }),
      fc.integer({ min: 0x20, max: 0x7e }),
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map(codes => String.fromCharCode(...codes));

const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  controlText,
);

/** Strings at and just past the schema's length bounds. */
function boundaryStrings(s: Schema): fc.Arbitrary<string>[] {
  const lengths = [s.maxLength, s.maxLength + 1, s.minLength - 1].filter(
    (n): n is number => Number.isInteger(n) && n >= 0,
  );
  return lengths.length
    ? [
        fc
          .constantFrom(...lengths)
          .chain(n =>
            fc.constantFrom('x'.repeat(n), 'é'.repeat(n), '💥'.repeat(n)),
          ),
      ]
    : [];
}

function junk(s: Schema | undefined): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...ODD_VALUES),
    hostileString,
    ...boundaryStrings(s ?? {}),
    fc.jsonValue({ maxDepth: 2 }),
  );
}

/** A control character, a lone surrogate or a BOM somewhere in a good string. */
function tainted(good: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: good },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          good,
          fc.oneof(
            fc.integer({ min: 0, max: 0x1f }).map(c => String.fromCharCode(c)),
            fc.constantFrom('\u007f', '\ud800', '\ufeff', '\u2028'),
          ),
          fc.nat(),
        )
        .map(([text, bad, at]) => {
          const i = text.length ? at % (text.length + 1) : 0;
          return text.slice(0, i) + bad + text.slice(i);
        }),
    },
  );
}

// --- values of the declared shape, with junk mixed in at every level -------

function cleanStringOf(s: Schema): fc.Arbitrary<string> {
  const someDate = fc.date({
    min: new Date('1900-01-01T00:00:00Z'),
    max: new Date('2200-01-01T00:00:00Z'),
    noInvalidDate: true,
  });
  switch (s.format) {
    case 'date':
      return someDate.map(d => d.toISOString().slice(0, 10));
    case 'date-time':
      return someDate.map(d => d.toISOString());
    case 'uri':
      return fc.webUrl();
    case 'email':
      return fc.emailAddress();
    default:
  }
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
  return fc.string({
    minLength: s.minLength ?? 0,
    maxLength: Math.min(s.maxLength ?? 40, 40),
  });
}

function stringOf(s: Schema): fc.Arbitrary<string> {
  return tainted(cleanStringOf(s));
}

function shaped(schema: Schema | undefined, depth: number): fc.Arbitrary<any> {
  const s = deref(schema);
  if (!s) return fc.constant(undefined);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const branches = s.oneOf ?? s.anyOf ?? s.allOf;
  if (branches)
    return fc.oneof(...branches.map((b: Schema) => value(b, depth)));
  switch (s.type) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return fc.integer({
        min: s.minimum ?? -1_000_000,
        max: s.maximum ?? 1_000_000,
      });
    case 'number':
      return fc.double({
        min: s.minimum ?? s.exclusiveMinimum ?? -1e6,
        max: s.maximum ?? 1e6,
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth >= MAX_DEPTH
        ? fc.constant([])
        : fc.array(value(s.items, depth + 1), {
            maxLength: Math.min(s.maxItems ?? 3, 3),
          });
    default:
  }
  if (depth >= MAX_DEPTH) return fc.constant({});
  const properties = Object.fromEntries(
    Object.entries(s.properties ?? {}).map(([k, v]) => [
      k,
      value(v as Schema, depth + 1),
    ]),
  );
  const extra =
    typeof s.additionalProperties === 'object'
      ? fc.dictionary(
          fc.string({ maxLength: 12 }),
          value(s.additionalProperties, depth + 1),
          { maxKeys: 2 },
        )
      : fc.constant({});
  return fc
    .tuple(
      fc.oneof(
        // As declared, or with required fields left out.
        fc.record(properties, { requiredKeys: s.required ?? [] }),
        fc.record(properties, { requiredKeys: [] }),
      ),
      extra,
      // A field nobody declared, now and then.
      fc.option(fc.tuple(hostileString, junk(undefined)), { freq: 4 }),
    )
    .map(([declared, more, unknown]) => ({
      ...more,
      ...declared,
      ...(unknown ? { [unknown[0]]: unknown[1] } : {}),
    }));
}

/** A value of the schema's shape four times in five; junk otherwise. */
function value(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: shaped(schema, depth) },
    { weight: 1, arbitrary: junk(deref(schema)) },
  );
}

// --- calls ----------------------------------------------------------------

/** Ids that exist in the test backend, so that calls also get past lookups. */
const knownIds: string[] = [
  'notion',
  'figma',
  'legacy-crm',
  'editor',
  'viewer',
  'user',
  '1',
  '2',
  'manual',
  'backstage',
];

/** Path segments sent as they are: broken escapes and traversal. */
const RAW_SEGMENTS = [
  '%',
  '%zz',
  '%00',
  '%2F',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%25',
  ';',
  '~',
];

function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // Lone surrogates: send their bytes as the broken UTF-8 they are.
    return Buffer.from(text, 'utf16le').toString('hex').replace(/(..)/g, '%$1');
  }
}

/**
 * A value for a path parameter. Never empty, `.` or `..`: those make a URL
 * of another route (or none), which the plugin leaves to Backstage's router.
 */
const pathValue = (schema: Schema) =>
  fc
    .oneof(
      {
        weight: 3,
        arbitrary: tainted(fc.constantFrom(...knownIds)).map(encodeSegment),
      },
      {
        weight: 2,
        arbitrary: value(schema).map(v =>
          encodeSegment(typeof v === 'string' ? v : JSON.stringify(v) ?? ''),
        ),
      },
      { weight: 2, arbitrary: hostileString.map(encodeSegment) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    )
    .filter(segment => !['', '.', '..'].includes(segment));

const queryText = (v: unknown): string =>
  typeof v === 'string' ? v : JSON.stringify(v) ?? '';

/** One query parameter: left out, once, or repeated. */
const queryValues = (schema: Schema) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant([] as string[]) },
    { weight: 5, arbitrary: value(schema).map(v => [queryText(v)]) },
    {
      weight: 1,
      arbitrary: fc.array(value(schema).map(queryText), {
        minLength: 2,
        maxLength: 3,
      }),
    },
  );

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string };

const rawBody: fc.Arbitrary<Body> = fc.record({
  kind: fc.constant('raw' as const),
  text: fc.oneof(
    fc.constantFrom(
      '{',
      '{"a":',
      'null',
      '[]',
      '"x"',
      '1e999',
      '{"__proto__":{"admin":true}}',
      '\u0000',
      '',
      '{"a":1,"a":2}',
    ),
    hostileString,
  ),
  contentType: fc.constantFrom(
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=latin1',
  ),
});

const bodyOf = (operation: Operation): fc.Arbitrary<Body> =>
  operation.body
    ? fc.oneof(
        {
          weight: 6,
          arbitrary: value(operation.body).map(
            (v): Body => ({ kind: 'json', value: v }),
          ),
        },
        { weight: 1, arbitrary: fc.constant<Body>({ kind: 'none' }) },
        { weight: 1, arbitrary: rawBody },
      )
    : fc.oneof(
        { weight: 6, arbitrary: fc.constant<Body>({ kind: 'none' }) },
        {
          weight: 1,
          arbitrary: junk(undefined).map(
            (v): Body => ({ kind: 'json', value: v }),
          ),
        },
      );

type Call = {
  operation: string;
  as: string;
  method: string;
  url: string;
  body: Body;
};

function callOf(operation: Operation): fc.Arbitrary<Call> {
  const pathParams = operation.parameters.filter(p => p.in === 'path');
  const queryParams = operation.parameters.filter(p => p.in === 'query');
  return fc
    .record({
      as: fc.constantFrom(IVAN, JANE),
      path: fc.tuple(...pathParams.map(p => pathValue(p.schema))),
      query: fc.tuple(...queryParams.map(p => queryValues(p.schema))),
      unknownQuery: fc.option(fc.tuple(hostileString, hostileString), {
        freq: 6,
      }),
      body: bodyOf(operation),
    })
    .map(({ as: user, path, query, unknownQuery, body }) => {
      let i = 0;
      const url = operation.path.replace(/\{[^}]+\}/g, () => path[i++]);
      const pairs = queryParams.flatMap((p, n) =>
        query[n].map(v => `${p.name}=${encodeSegment(v)}`),
      );
      if (unknownQuery) {
        pairs.push(unknownQuery.map(encodeSegment).join('='));
      }
      return {
        operation: `${operation.method} ${operation.path}`,
        as: user,
        method: operation.method,
        url: pairs.length ? `${url}?${pairs.join('&')}` : url,
        body,
      };
    });
}

type Answer = { call: Call; status: number; text: string };

function isErrorBody(text: string): boolean {
  try {
    const body = JSON.parse(text);
    return (
      typeof body?.error?.name === 'string' &&
      typeof body?.error?.message === 'string'
    );
  } catch {
    return false;
  }
}

async function inPool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]);
      }
    }),
  );
  return results;
}

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the API under malformed calls on %s',
  databaseId => {
    let backend: AppAccessTestBackend;
    let baseUrl: string;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

    beforeAll(async () => {
      backend = await startAppAccessTestBackend({
        knex: await databases.init(databaseId),
      });
      baseUrl = `http://localhost:${backend.server.port()}/api/app-access`;
      // A request that exists, so that its id reaches the deeper checks.
      const res = await fetch(`${baseUrl}/requests`, {
        method: 'POST',
        headers: {
          Authorization: as(JANE),
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          appId: 'notion',
          tierId: 'editor',
          justification: 'Fuzzing',
        }),
      });
      if (res.status !== 201) {
        throw new Error(`Could not submit a request: ${res.status}`);
      }
      knownIds.push(((await res.json()) as { id: string }).id);
    });

    afterAll(async () => {
      agent.destroy();
      await backend?.stop();
    });

    async function send(call: Call): Promise<Answer> {
      const headers: Record<string, string> = { Authorization: as(call.as) };
      let body: string | undefined;
      if (call.body.kind === 'json') {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(call.body.value) ?? 'null';
      } else if (call.body.kind === 'raw') {
        headers['Content-Type'] = call.body.contentType;
        body = call.body.text;
      }
      if (body !== undefined) {
        headers['Content-Length'] = String(Buffer.byteLength(body));
      }
      // node:http rather than fetch: a GET with a body and a path with
      // broken escapes go out exactly as generated.
      return new Promise<Answer>((resolve, reject) => {
        const req = http.request(
          `${baseUrl}${call.url}`,
          { method: call.method, headers, agent },
          res => {
            const chunks: Buffer[] = [];
            res.on('data', chunk => chunks.push(chunk));
            res.on('end', () =>
              resolve({
                call,
                status: res.statusCode ?? 0,
                text: Buffer.concat(chunks).toString('utf8'),
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }

    it(`answers ${CALLS} malformed calls without a 5xx, each 4xx a Backstage error (seed ${SEED})`, async () => {
      // Built here, once the ids above exist.
      const anyCall = fc.oneof(...OPERATIONS.map(callOf));
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(anyCall, { minLength: BATCH, maxLength: BATCH }),
          async calls => {
            const answers = await inPool(calls, CONCURRENCY, send);
            sent += answers.length;
            const wrong = answers.filter(
              a => a.status >= 500 || (a.status >= 400 && !isErrorBody(a.text)),
            );
            if (wrong.length) {
              throw new Error(
                [
                  `Repeat with FUZZ_SEED=${SEED}.`,
                  ...wrong.map(
                    a =>
                      `${a.call.operation} as ${a.call.as}: ${a.call.method} ${
                        a.call.url
                      } body ${JSON.stringify(a.call.body)} → ${
                        a.status
                      } ${a.text.slice(0, 500)}`,
                  ),
                ].join('\n'),
              );
            }
          },
        ),
        {
          seed: SEED,
          numRuns: Math.ceil(CALLS / BATCH),
          // A batch that fails names its calls; shrinking would resend
          // thousands of them.
          endOnFailure: true,
        },
      );
      expect(sent).toBeGreaterThanOrEqual(CALLS);
    });
  },
);
