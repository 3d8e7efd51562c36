// Whether App Access shares the app's Backstage packages or carries private
// copies of them: a copy under node_modules/@app-access/*/node_modules/@backstage
// means an App Access version range stops below the version the app installed
// (the frontend then has two plugin-catalog-react instances, the backend two
// catalog service refs). Prints one line for run.sh to record and exits 1 when
// there are private copies.
//
//   node shared-deps.mjs <app dir>
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [appDir] = process.argv.slice(2);
if (!appDir) {
  console.error('usage: shared-deps.mjs <app dir>');
  process.exit(2);
}
const nm = join(appDir, 'node_modules');
const version = dir =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;

const privateCopies = [];
let shared = 0;
const ours = existsSync(join(nm, '@app-access'))
  ? readdirSync(join(nm, '@app-access'))
  : [];
for (const pkg of ours) {
  const pkgDir = join(nm, '@app-access', pkg);
  const deps =
    JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
      .dependencies ?? {};
  for (const dep of Object.keys(deps).filter(d =>
    d.startsWith('@backstage/'),
  )) {
    const nested = join(pkgDir, 'node_modules', dep);
    if (existsSync(nested)) {
      const top = join(nm, dep);
      privateCopies.push(
        `@app-access/${pkg} has ${dep} ${version(nested)} (app: ${
          existsSync(top) ? version(top) : 'none'
        })`,
      );
    } else {
      shared += 1;
    }
  }
}
if (ours.length === 0) {
  console.log('no @app-access packages installed');
  process.exit(1);
}
if (privateCopies.length) {
  console.log(
    `${privateCopies.length} private copies: ${privateCopies.join('; ')}`,
  );
  process.exit(1);
}
console.log(
  `${ours.length} App Access packages share the app's copy of all ${shared} @backstage dependencies`,
);
