import Ajv, { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { buildSeedJsonSchema } from '../__testUtils__/seedJsonSchema';
import { SeedImporter } from './SeedImporter';

const packageDir = resolve(__dirname, '../..');
const schemaFile = resolve(packageDir, 'seed-schema.json');
const shippedExample = resolve(packageDir, 'examples/apps.example.yaml');
const demoSeed = resolve(packageDir, '../../examples/apps.yaml');

async function jsonSchemaValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(await readFile(schemaFile, 'utf8')));
}

// Where an editor would put the squiggle: the missing or unknown property
// itself, not the object it belongs to.
function fieldOf(error: ErrorObject): string {
  const { missingProperty, additionalProperty } = error.params as {
    missingProperty?: string;
    additionalProperty?: string;
  };
  const property = missingProperty ?? additionalProperty;
  return property ? `${error.instancePath}/${property}` : error.instancePath;
}

describe('seed-schema.json', () => {
  it('is what the zod seed schema generates', async () => {
    // UPDATE_SEED_SCHEMA=1 rewrites it; run prettier on it afterwards.
    if (process.env.UPDATE_SEED_SCHEMA) {
      await writeFile(
        schemaFile,
        `${JSON.stringify(buildSeedJsonSchema(), null, 2)}\n`,
      );
    }
    expect(JSON.parse(await readFile(schemaFile, 'utf8'))).toEqual(
      buildSeedJsonSchema(),
    );
  });

  it('accepts the shipped example and the demo catalog, which the importer accepts too', async () => {
    const validate = await jsonSchemaValidator();
    for (const file of [shippedExample, demoSeed]) {
      const doc = yaml.load(await readFile(file, 'utf8'));
      expect([file, validate(doc), validate.errors]).toEqual([
        file,
        true,
        null,
      ]);
      expect((await SeedImporter.readFile(file)).length).toBeGreaterThan(0);
    }
  });

  it('rejects what the importer rejects, at the same field', async () => {
    const validate = await jsonSchemaValidator();
    const dir = await mkdtemp(resolve(tmpdir(), 'seed-schema-'));
    const cases: Array<{ app: object; field: string; importer: RegExp }> = [
      {
        app: { id: 'Bad Id', name: 'X', category: 'Y' },
        field: '/apps/0/id',
        importer: /app Bad Id: id: must be lowercase letters/,
      },
      {
        app: { id: 'x', name: 'X', category: 'Y', listed: true },
        field: '/apps/0/tiers',
        importer:
          /app x: tiers: an app listed in the catalog needs at least one tier/,
      },
      {
        app: {
          id: 'x',
          name: 'X',
          category: 'Y',
          approval: { required: 'except' },
        },
        field: '/apps/0/approval/exceptGroups',
        importer:
          /app x: approval.exceptGroups: required with required: 'except'/,
      },
      {
        app: {
          id: 'x',
          name: 'X',
          category: 'Y',
          tiers: [{ id: 't', name: 'T', fulfillment: { type: 'okta-group' } }],
        },
        field: '/apps/0/tiers/0/fulfillment/oktaGroupId',
        importer: /app x: tiers.0.fulfillment.oktaGroupId: Required/,
      },
      {
        app: { id: 'x', name: 'X', category: 'Y', colour: 'red' },
        field: '/apps/0/colour',
        importer: /app x: Unrecognized key\(s\) in object: 'colour'/,
      },
    ];
    for (const [index, { app, field, importer }] of cases.entries()) {
      const doc = { apps: [app] };
      expect(validate(doc)).toBe(false);
      expect(validate.errors!.map(fieldOf)).toContain(field);
      const file = resolve(dir, `case-${index}.yaml`);
      await writeFile(file, yaml.dump(doc));
      await expect(SeedImporter.readFile(file)).rejects.toThrow(importer);
    }
  });
});
