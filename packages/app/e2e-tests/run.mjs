// End-to-end runner: starts the example portal once, runs every spec in
// packages/app/e2e-tests/specs (or those named on the command line) in headless Chromium, saves
// screenshots under packages/app/e2e-tests/output, stops everything and prints "N passed, N failed".
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser } from './launchBrowser.mjs';
import {
  APP_URL,
  BACKEND_URL,
  outputDir,
  repoRoot,
  startPortal,
} from './portal.mjs';

const specDir = join(repoRoot, 'packages', 'app', 'e2e-tests', 'specs');
const wanted = process.argv.slice(2);
const files = readdirSync(specDir)
  .filter(f => f.endsWith('.spec.mjs'))
  .filter(f => wanted.length === 0 || wanted.some(w => f.includes(w)))
  .sort();

const tests = [];
globalThis.test = (name, fn) => tests.push({ name, fn });
for (const f of files) {
  await import(pathToFileURL(join(specDir, f)).href);
}
if (tests.length === 0) {
  console.error('e2e: no tests found');
  process.exit(1);
}

let passed = 0;
let failed = 0;
const stopPortal = await startPortal();
const browser = await launchBrowser();
try {
  for (const t of tests) {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const started = Date.now();
    try {
      await t.fn({ page, context, APP_URL, BACKEND_URL, outputDir });
      passed++;
      console.log(`  ✓ ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      const shot = join(
        outputDir,
        `FAILED-${t.name.replace(/[^a-z0-9]+/gi, '-')}.png`,
      );
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      console.log(
        `  ✗ ${t.name}\n    ${e?.stack ?? e}\n    screenshot: ${shot}`,
      );
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  await stopPortal();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
