import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

// Domain code must stay usable without the HTTP layer (seed import, workers,
// modules): this is a rule about the source itself, so the test reads it.
const DOMAIN_FOLDERS = [
  'workflow',
  'catalog',
  'database',
  'outbox',
  'usage',
  'services',
];
const SERVICE_DIR = resolve(__dirname, 'service');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Module specifiers of static imports, re-exports, `import()` types and `require`. */
function importedModules(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap(pattern =>
    [...source.matchAll(pattern)].map(match => match[1]),
  );
}

function isInside(path: string, dir: string) {
  return path === dir || path.startsWith(dir + sep);
}

describe('layering', () => {
  it('finds every kind of import it has to check', () => {
    expect(
      importedModules(
        [
          "import { a } from '../service/schemas';",
          "import type {\n  B,\n} from '../service/router';",
          "export { c } from '../service/auditCsv';",
          "import '../service/side-effect';",
          "type D = import('../service/router').RouterOptions;",
          "const e = require('../service/x');",
        ].join('\n'),
      ),
    ).toEqual([
      '../service/schemas',
      '../service/router',
      '../service/auditCsv',
      '../service/side-effect',
      '../service/router',
      '../service/x',
    ]);
  });

  it.each(DOMAIN_FOLDERS)(
    'nothing under src/%s imports from src/service',
    folder => {
      const files = tsFiles(resolve(__dirname, folder));
      expect(files.length).toBeGreaterThan(0);
      const offending = files.flatMap(file =>
        importedModules(readFileSync(file, 'utf8'))
          .filter(spec => spec.startsWith('.'))
          .filter(spec => isInside(resolve(file, '..', spec), SERVICE_DIR))
          .map(spec => `${relative(__dirname, file)} imports ${spec}`),
      );
      expect(offending).toEqual([]);
    },
  );
});
