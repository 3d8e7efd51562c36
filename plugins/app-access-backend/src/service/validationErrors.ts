import express from 'express';
import { InputError } from '@backstage/errors';

type Schema = Record<string, any>;
type Spec = { components?: { schemas?: Record<string, Schema> } };

/** Plain words for the spec's patterns, keyed by the pattern itself. */
const PATTERN_WORDS: Record<string, string> = {
  '^(user|group):[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$':
    'must be a user or group entity ref such as user:default/jane.doe or group:default/it-admins',
  '^user:[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$':
    'must be a user entity ref such as user:default/jane.doe',
  '^group:[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$':
    'must be a group entity ref such as group:default/engineering',
  '^[a-z0-9][a-z0-9-]*$': 'must be lowercase letters, digits and dashes',
  '^[Hh][Tt][Tt][Pp][Ss]?://': 'must be an http(s) URL',
  '^\\d{4}-\\d{2}-\\d{2}$': 'must be a date as YYYY-MM-DD',
  '^\\d{1,12}$': 'must be a numeric id',
  '^\\d{1,20}$': 'must be a numeric id',
  '^\\d{1,18}$': 'must be a job id',
  '^[A-Za-z0-9_:-]{1,80}$': 'must be a simple tag (letters, digits, _ : and -)',
  '^#[0-9a-fA-F]{3,8}$': 'must be a hex colour such as #1f5493',
  '^[#]?[a-z0-9._-]{1,80}$|^[CG][A-Z0-9]{6,}$':
    'must be a channel name such as #it-requests or a channel id',
};

const FORMAT_WORDS: Record<string, string> = {
  date: 'must be a valid date',
  'date-time': 'must be a valid date-time',
  uri: 'must be an http(s) URL',
  email: 'must be an email address',
};

const TYPE_WORDS: Record<string, string> = {
  integer: 'must be a whole number',
  number: 'must be a number',
  string: 'must be text',
  boolean: 'must be true or false',
  object: 'must be an object',
  array: 'must be a list',
};

/** Errors that only say which branch of a oneOf / nullable did not match. */
const NOISE =
  /^must (match exactly one schema in oneOf|match a schema in anyOf|be null|be equal to constant|pass "\w+" keyword validation)/;

type Problem = { field: string; depth: number; words: string; noise: boolean };

/** ajv's phrasing → the API's, first match wins. */
const REPHRASE: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [
    /^must NOT have more than (\d+) characters$/,
    m => `must be at most ${m[1]} characters`,
  ],
  [
    /^must NOT have fewer than (\d+) characters$/,
    m => (m[1] === '1' ? 'required' : `must be at least ${m[1]} characters`),
  ],
  [
    /^must NOT have more than (\d+) items$/,
    m => `must have at most ${m[1]} entries`,
  ],
  [/^must be >= (.+)$/, m => `must be at least ${m[1]}`],
  [/^must be <= (.+)$/, m => `must be at most ${m[1]}`],
  [/^must be > (.+)$/, m => `must be more than ${m[1]}`],
  [/^must be < (.+)$/, m => `must be less than ${m[1]}`],
  [
    /^must be equal to one of the allowed values: (.+)$/,
    m => `must be one of ${m[1]}`,
  ],
  [
    /^must match pattern "(.+)"$/,
    m => PATTERN_WORDS[m[1]] ?? 'is not in the expected format',
  ],
  [
    /^must match format "(.+)"$/,
    m => FORMAT_WORDS[m[1]] ?? `must be a valid ${m[1]}`,
  ],
  [/^must be (\w+)(,\w+)*$/, m => TYPE_WORDS[m[1]] ?? m[0]],
  [/^must be equal to constant$/, () => 'has a value that is not allowed'],
];

function words(message: string): string {
  for (const [pattern, phrase] of REPHRASE) {
    const match = pattern.exec(message);
    if (match) return phrase(match);
  }
  return message;
}

function resolve(spec: Spec, schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let i = 0; current?.$ref && i < 20; i++) {
    current =
      spec.components?.schemas?.[
        String(current.$ref).replace('#/components/schemas/', '')
      ];
  }
  return current;
}

/** The properties a schema allows at the top level (through $ref and allOf). */
function allowedKeys(spec: Spec, schema: Schema | undefined): Set<string> {
  const resolved = resolve(spec, schema);
  const keys = new Set<string>(Object.keys(resolved?.properties ?? {}));
  for (const part of resolved?.allOf ?? []) {
    for (const key of allowedKeys(spec, part)) keys.add(key);
  }
  return keys;
}

/** The schema of a body at a path of property names, where it can be followed. */
function schemaAt(spec: Spec, schema: Schema | undefined, path: string[]) {
  let current = resolve(spec, schema);
  for (const segment of path) {
    if (!current) return undefined;
    if (current.type === 'array' || current.items) {
      current = resolve(spec, current.items);
    } else if (current.properties?.[segment]) {
      current = resolve(spec, current.properties[segment]);
    } else {
      return undefined;
    }
  }
  return current;
}

function valueAt(value: unknown, path: string[]): unknown {
  let current = value as any;
  for (const segment of path) current = current?.[segment];
  return current;
}

/**
 * The spec validator answers with ajv's text ("request/body/justification
 * must NOT have more than 4000 characters, request/query/limit must be >= 1").
 * This turns it into the API's own form, "justification: must be at most
 * 4000 characters", naming the field of the most specific problem, and names
 * the unknown field where ajv only says there is one.
 */
export function createValidationErrorFormatter(
  spec: Spec,
): express.ErrorRequestHandler {
  return (error, req, _res, next) => {
    if (
      !(error instanceof InputError) ||
      !/^request\/(body|query|params|path|headers)/.test(error.message)
    ) {
      next(error);
      return;
    }
    const operation = (req as any).openapi?.schema as Schema | undefined;
    const bodySchema =
      operation?.requestBody?.content?.['application/json']?.schema;
    const problems: Problem[] = [];
    for (const part of error.message.split(/, (?=request\/)/)) {
      const m = /^request\/(\w+)(?:\/(\S*))? (must .*)$/s.exec(part);
      if (!m) continue;
      const [, where, rawPath = '', message] = m;
      const path = rawPath ? rawPath.split('/').map(decodeURIComponent) : [];
      let field = path.join('.');
      let text = words(message);
      const required = /^must have required property '(.+)'$/.exec(message);
      if (required) {
        field = [...path, required[1]].join('.');
        text = 'required';
      } else if (
        message === 'must NOT have additional properties' &&
        where === 'body'
      ) {
        const allowed = allowedKeys(spec, schemaAt(spec, bodySchema, path));
        const value = valueAt(req.body, path);
        const unknown =
          value && typeof value === 'object' && !Array.isArray(value)
            ? Object.keys(value).filter(k => !allowed.has(k))
            : [];
        if (unknown.length) {
          field = [...path, unknown[0]].join('.');
          text = 'is not a field of this request';
        } else {
          text = 'has a field that is not allowed';
        }
      }
      problems.push({
        field,
        depth: field ? field.split('.').length : 0,
        words: text,
        noise: NOISE.test(message),
      });
    }
    const useful = problems.some(p => !p.noise)
      ? problems.filter(p => !p.noise)
      : problems;
    if (!useful.length) {
      next(error);
      return;
    }
    // The deepest problem is the one a person can fix; of several at the same
    // depth (the branches of a oneOf), the first is the one that was meant.
    const deepest = Math.max(...useful.map(p => p.depth));
    const seen = new Set<string>();
    const messages = useful
      .filter(p => p.depth === deepest)
      .filter(p => {
        if (seen.has(p.field)) return false;
        seen.add(p.field);
        return true;
      })
      .map(p => (p.field ? `${p.field}: ${p.words}` : p.words));
    next(new InputError(messages.join('; ')));
  };
}
