import express from 'express';
import { InputError } from '@backstage/errors';

type Schema = Record<string, any>;
type Spec = { components?: { schemas?: Record<string, Schema> } };

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Whether the text holds a C0 control character (U+0000–U+001F): never in a
 * single-line value, an id, a query or a path; multi-line text may hold tabs
 * and line breaks.
 */
function hasControl(text: string, multiline = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (
      code < 0x20 &&
      !(multiline && (code === TAB || code === LF || code === CR))
    ) {
      return true;
    }
  }
  return false;
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

/** The schema and its allOf / oneOf / anyOf branches, resolved. */
function branches(spec: Spec, schema: Schema | undefined): Schema[] {
  const resolved = resolve(spec, schema);
  if (!resolved) return [];
  return [
    resolved,
    ...[
      ...(resolved.allOf ?? []),
      ...(resolved.oneOf ?? []),
      ...(resolved.anyOf ?? []),
    ].flatMap((part: Schema) => branches(spec, part)),
  ];
}

/** What the schema says a property (or an array's items) may hold. */
function childSchemas(
  spec: Spec,
  schemas: Schema[],
  key: string | number,
): Schema[] {
  return schemas.flatMap(s => {
    if (typeof key === 'number') return branches(spec, s.items);
    if (s.properties?.[key]) return branches(spec, s.properties[key]);
    return typeof s.additionalProperties === 'object'
      ? branches(spec, s.additionalProperties)
      : [];
  });
}

function refuse(field: string): never {
  throw new InputError(
    `${field || 'body'}: must not contain control characters`,
  );
}

function checkBody(
  spec: Spec,
  value: unknown,
  schemas: Schema[],
  path: string[],
) {
  const field = path.join('.');
  if (typeof value === 'string') {
    const multiline = schemas.some(s => s['x-multiline'] === true);
    if (hasControl(value, multiline)) {
      refuse(field);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) =>
      checkBody(spec, item, childSchemas(spec, schemas, i), [
        ...path,
        String(i),
      ]),
    );
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      // A key is stored as it comes (externalIds, free-form objects); it is
      // named by its parent, since the key itself is what cannot be printed.
      if (hasControl(key)) refuse(field);
      checkBody(spec, item, childSchemas(spec, schemas, key), [...path, key]);
    }
  }
}

function checkFlat(values: Record<string, unknown> | undefined) {
  for (const [name, value] of Object.entries(values ?? {})) {
    // An unknown parameter is refused by the spec; this only keeps a name
    // that is itself a control character out of the message.
    if (hasControl(name)) refuse('query');
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string' && hasControl(item)) refuse(name);
    }
  }
}

/**
 * Refuses C0 control characters in every text the API takes, with a 400
 * naming the field: PostgreSQL cannot store a NUL byte in text or jsonb
 * (the statement fails, a 500), and a line break or escape in an id, a ref
 * or a name ends up in logs, notifications and tickets. Only multi-line text
 * (`x-multiline: true` in openapi.yaml) keeps tabs and line breaks.
 *
 * Runs after the spec validator, so it knows the operation and walks a
 * body of the declared shape.
 */
export function createTextInputGuard(spec: Spec): express.RequestHandler {
  return (req, _res, next) => {
    const openapi = (req as any).openapi as
      | { schema?: Schema; pathParams?: Record<string, string> }
      | undefined;
    // `use` middleware sees no route params; the validator matched them.
    checkFlat(openapi?.pathParams);
    checkFlat(req.query as Record<string, unknown>);
    const operation = openapi?.schema;
    const bodySchema =
      operation?.requestBody?.content?.['application/json']?.schema;
    checkBody(spec, req.body, branches(spec, bodySchema), []);
    next();
  };
}
