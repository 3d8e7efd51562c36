import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { appSchema, seedFileSchema } from '../catalog/appSchema';

/**
 * The JSON Schema of app catalog seed files, built from the zod schemas the
 * importer validates with. `seed-schema.json` must equal it (a test), so the
 * published schema cannot drift from what the backend accepts.
 */
export function buildSeedJsonSchema(): Record<string, unknown> {
  const generated = zodToJsonSchema(
    seedFileSchema.extend({ apps: z.array(appSchema) }),
    { target: 'jsonSchema7', $refStrategy: 'root' },
  ) as any;
  const { $schema, ...body } = generated;

  // zod's cross-field rules (superRefine) have no JSON Schema counterpart of
  // their own; these three can be said with if/then, so editors flag them.
  const app = body.properties.apps.items;
  app.if = { properties: { listed: { const: true } }, required: ['listed'] };
  app.then = {
    properties: { tiers: { minItems: 1 } },
    required: ['tiers'],
  };
  app.properties.approval.allOf = [
    {
      if: { properties: { required: { const: 'except' } } },
      then: {
        properties: { exceptGroups: { minItems: 1 } },
        required: ['exceptGroups'],
      },
    },
    {
      if: {
        properties: { level2: { minItems: 1 } },
        required: ['level2'],
      },
      then: {
        properties: { level1: { minItems: 1 } },
        required: ['level1'],
      },
    },
  ];

  return {
    $schema,
    title: 'App Access app catalog seed file',
    description:
      'Apps, license tiers, approval policies and fulfillment that App Access imports at start-up (appAccess.catalog.seedFiles). ' +
      'Generated from the zod schema in src/catalog/appSchema.ts. The importer also checks what JSON Schema cannot say: ' +
      'tier ids are unique within an app, and a user approver names a user: entity ref.',
    ...body,
  };
}
