import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
);
export const backendDir = join(repoRoot, 'packages', 'backend');
/**
 * Logs, the generated config and seed, and what the checks read, of the last
 * run. Outside the repository, so that `prettier --check .` never sees them.
 */
export const outputDir =
  process.env.FAULTS_OUTPUT_DIR ?? join(tmpdir(), 'app-access-faults');
