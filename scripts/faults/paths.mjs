import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
);
export const backendDir = join(repoRoot, 'packages', 'backend');
/** Logs, the generated config and seed of the last run (git-ignored). */
export const outputDir = join(repoRoot, 'scripts', 'faults', 'output');
