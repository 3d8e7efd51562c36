// The fresh app's pinned lockfile (fixtures/yarn.lock), so that the pinned
// install check resolves the same packages on every run instead of whatever
// the registry serves that minute.
//
//   node lockfile.mjs seed  <app dir> <fixture>   copy the fixture in before the install
//   node lockfile.mjs check <app dir> <fixture>   exit 1 when the install resolved anything the fixture does not lock
//   node lockfile.mjs write <app dir> <fixture>   store the app's lockfile as the new fixture
//   node lockfile.mjs unlock <app dir> <prefix>   drop the app's entries whose names start with prefix
//                                                 (--latest: every @backstage/* package resolved afresh,
//                                                 direct or not, the rest kept as locked)
//
// The fixture holds no @app-access/* entries: their tarballs are rebuilt on
// every run (a new checksum each time) and their lock keys name a temporary
// path, so Yarn resolves them afresh. Their dependencies' descriptors stay in
// the fixture, so what the tarballs pull in is locked like the rest, and a new
// dependency of an App Access package (a descriptor the fixture lacks) shows
// as drift, with the command that refreshes the fixture.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [command, appDir, fixture] = process.argv.slice(2);
if (
  !['seed', 'check', 'write', 'unlock'].includes(command) ||
  !appDir ||
  !fixture
) {
  console.error(
    'usage: lockfile.mjs seed|check|write <app dir> <fixture> | unlock <app dir> <prefix>',
  );
  process.exit(2);
}
const appLock = join(appDir, 'yarn.lock');

/** Splits a Yarn 4 lockfile into its header and its entries (key line + body). */
function parse(text) {
  const blocks = text.split(/\n(?=\S)/);
  const header = [];
  const entries = [];
  for (const block of blocks) {
    if (block.startsWith('"') || /^[^#\s]/.test(block)) {
      const key = block.split('\n')[0];
      if (key.startsWith('__metadata')) {
        header.push(block);
        continue;
      }
      const resolution = /\n\s+resolution: "?([^"\n]+)"?/.exec(block)?.[1];
      entries.push({ key, resolution, block });
    } else {
      header.push(block);
    }
  }
  return { header, entries };
}

/** App Access's own packages and the app's workspaces: they change on every release. */
function isOwn(entry) {
  return (
    /^"?@app-access\//.test(entry.key) ||
    /@workspace:/.test(entry.resolution ?? '')
  );
}

function strip(text) {
  const { header, entries } = parse(text);
  const kept = entries.filter(e => !/^"?@app-access\//.test(e.key));
  return `${[...header, ...kept.map(e => e.block)].join('\n').trimEnd()}\n`;
}

function lockedResolutions(text) {
  return new Set(
    parse(text)
      .entries.filter(e => !isOwn(e))
      .map(e => e.resolution),
  );
}

if (command === 'unlock') {
  const prefix = fixture;
  const { header, entries } = parse(readFileSync(appLock, 'utf8'));
  const kept = entries.filter(e => !e.key.replace(/^"/, '').startsWith(prefix));
  writeFileSync(
    appLock,
    `${[...header, ...kept.map(e => e.block)].join('\n').trimEnd()}\n`,
  );
  console.log(
    `yarn.lock: ${entries.length - kept.length} ${prefix}* entries dropped, ${
      kept.length
    } kept`,
  );
} else if (command === 'seed') {
  if (!existsSync(fixture)) {
    console.log(`no ${fixture}: the install resolves against the registry`);
    process.exit(0);
  }
  copyFileSync(fixture, appLock);
  const n = lockedResolutions(readFileSync(fixture, 'utf8')).size;
  console.log(`yarn.lock: ${n} packages locked by ${fixture}`);
} else if (command === 'write') {
  writeFileSync(fixture, strip(readFileSync(appLock, 'utf8')));
  const n = lockedResolutions(readFileSync(fixture, 'utf8')).size;
  console.log(`${fixture}: ${n} packages locked`);
} else {
  if (!existsSync(fixture)) {
    console.log(`no ${fixture} to compare with`);
    process.exit(1);
  }
  const want = lockedResolutions(readFileSync(fixture, 'utf8'));
  const got = lockedResolutions(readFileSync(appLock, 'utf8'));
  const added = [...got].filter(r => !want.has(r)).sort();
  const removed = [...want].filter(r => !got.has(r)).sort();
  if (added.length === 0 && removed.length === 0) {
    console.log(`the install used exactly the ${want.size} locked packages`);
    process.exit(0);
  }
  const show = (label, list) =>
    list.length &&
    console.log(
      `${label} ${list.length}: ${list.slice(0, 8).join(', ')}${
        list.length > 8 ? ', ...' : ''
      }`,
    );
  show('resolved but not in the fixture', added);
  show('in the fixture but no longer used', removed);
  process.exit(1);
}
