#!/usr/bin/env node
// Every publishable workspace (not private) carries what a package needs on
// npm: a README.md and a CHANGELOG.md of its own, the repository, homepage,
// bugs and keywords fields, and `files` limited to its build output. New
// packages are covered without editing this script: it asks Yarn for the
// workspaces.
//
//   node scripts/release-check.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = execFileSync('yarn', ['workspaces', 'list', '--json'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean)
  .map(line => JSON.parse(line))
  .filter(w => w.location !== '.');

const problems = [];
let checked = 0;
for (const { location } of workspaces) {
  const dir = join(root, location);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  checked += 1;
  const say = what => problems.push(`${location} (${pkg.name}): ${what}`);
  for (const file of ['README.md', 'CHANGELOG.md']) {
    if (!existsSync(join(dir, file))) say(`no ${file}`);
  }
  const changelog = join(dir, 'CHANGELOG.md');
  if (
    existsSync(changelog) &&
    readFileSync(changelog, 'utf8').split('\n')[0] !== `# ${pkg.name}`
  ) {
    say(
      `CHANGELOG.md must start with "# ${pkg.name}" (changesets adds below it)`,
    );
  }
  for (const field of ['description', 'repository', 'homepage', 'bugs']) {
    if (!pkg[field]) say(`package.json has no "${field}"`);
  }
  if (!Array.isArray(pkg.keywords) || !pkg.keywords.includes('backstage')) {
    say('package.json "keywords" must include "backstage"');
  }
  if (pkg.repository?.directory !== location) {
    say(`package.json repository.directory must be "${location}"`);
  }
  if (!Array.isArray(pkg.files) || !pkg.files.includes('dist')) {
    say('package.json "files" must list "dist"');
  }
}

if (problems.length) {
  console.error(problems.map(p => `release check: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`release check: ${checked} publishable packages are complete`);
