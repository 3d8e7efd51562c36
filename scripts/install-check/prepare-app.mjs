// Installs the packed App Access packages into a freshly generated Backstage
// app the way the README tells a maintainer to, with one difference: the
// packages come from local tarballs (root `resolutions` with `file:`) instead
// of the registry, because these versions are not published yet.
//
//   node prepare-app.mjs <app dir> <tarball index.tsv> <fixtures dir> <port>
//
// Prints what it changed; fails when the template no longer has the lines the
// README's instructions refer to, since that is a finding in itself.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [appDir, indexFile, fixturesDir, port] = process.argv.slice(2);
if (!appDir || !indexFile || !fixturesDir || !port) {
  console.error(
    'usage: prepare-app.mjs <app dir> <index.tsv> <fixtures dir> <port>',
  );
  process.exit(2);
}

const POLICY_PACKAGE =
  '@app-access/plugin-permission-backend-module-app-access-policy';

const tarballs = new Map(
  readFileSync(indexFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => line.split('\t'))
    .map(([name, version, file]) => [name, { version, file }]),
);

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}
function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
function need(name) {
  const t = tarballs.get(name);
  if (!t) throw new Error(`no tarball for ${name} in ${indexFile}`);
  return t;
}

// What `yarn add <name>` would write: a caret range of the published version.
function addDependency(workspace, name) {
  const file = join(appDir, 'packages', workspace, 'package.json');
  const pkg = readJson(file);
  pkg.dependencies = { ...pkg.dependencies, [name]: `^${need(name).version}` };
  pkg.dependencies = Object.fromEntries(
    Object.entries(pkg.dependencies).sort(([a], [b]) => a.localeCompare(b)),
  );
  writeJson(file, pkg);
  console.log(
    `packages/${workspace}: dependency ${name}@^${need(name).version}`,
  );
}

// Every @app-access/* name, direct or transitive, resolves to its tarball.
const rootFile = join(appDir, 'package.json');
const root = readJson(rootFile);
root.resolutions = { ...root.resolutions };
for (const [name, { file }] of tarballs) {
  root.resolutions[name] = `file:${file}`;
}
console.log(
  `package.json: resolutions for ${tarballs.size} @app-access packages`,
);

// Native builds are most of a fresh install's time on a small CI machine.
// Like the repository, the app skips keytar (the CLI's optional credential
// store, whose compile fails without libsecret) and cpu-features (an optional
// speed-up of ssh2). better-sqlite3 has no prebuilt binary to download without
// internet; the repository has just compiled the same package for the same
// Node, so the app takes that version and binary (run.sh copies it in after
// the install) instead of compiling its own.
root.dependenciesMeta = {
  ...root.dependenciesMeta,
  'cpu-features': { built: false },
  keytar: { built: false },
};
const sqliteFrom = process.env.INSTALL_CHECK_SQLITE_FROM;
if (sqliteFrom) {
  const { version } = readJson(join(sqliteFrom, 'package.json'));
  root.resolutions['better-sqlite3'] = version;
  root.dependenciesMeta['better-sqlite3'] = { built: false };
  console.log(
    `package.json: better-sqlite3 ${version} with the repository's compiled binary`,
  );
}
writeJson(rootFile, root);

// The pinned run must get Backstage 1.55 as create-app 0.9.2 shipped it.
// Without its yarn.lock seed (a download this machine cannot make) a fresh
// install takes the newest version in every caret range, and a plugin from a
// later release then meets 1.55's backend-defaults (seen: signals-backend
// 0.3.21 calling httpRouter.addWebSocketHandler, which 0.18.0 lacks). Yarn's
// age gate, without the template's exemption for @backstage/*, resolves every
// package as it was shortly after create-app 0.9.2 was published.
const ageGate = process.env.INSTALL_CHECK_AGE_GATE;
if (ageGate) {
  const rcFile = join(appDir, '.yarnrc.yml');
  const rc = readFileSync(rcFile, 'utf8')
    .replace(/^npmMinimalAgeGate:.*\n/m, '')
    .replace(/^npmPreapprovedPackages:\n(?:\s+-.*\n)*/m, '');
  writeFileSync(rcFile, `${rc.trimEnd()}\nnpmMinimalAgeGate: ${ageGate}\n`);
  console.log(
    `.yarnrc.yml: npmMinimalAgeGate ${ageGate}, no exemption for @backstage/*`,
  );
}

const hasPolicy = tarballs.has(POLICY_PACKAGE);
addDependency('backend', '@app-access/plugin-app-access-backend');
if (hasPolicy) addDependency('backend', POLICY_PACKAGE);
addDependency('app', '@app-access/plugin-app-access');

// Backend: the README's line, and the documented policy in place of allow-all.
const backendIndex = join(appDir, 'packages', 'backend', 'src', 'index.ts');
let backendSrc = readFileSync(backendIndex, 'utf8');
if (!/backend\.start\(\);?/.test(backendSrc)) {
  throw new Error(
    `${backendIndex}: no backend.start() to add App Access before`,
  );
}
backendSrc = backendSrc.replace(
  /backend\.start\(\);?/,
  "// App Access\nbackend.add(import('@app-access/plugin-app-access-backend'));\n\nbackend.start();",
);
if (hasPolicy) {
  const allowAll =
    /backend\.add\(\s*import\(\s*'@backstage\/plugin-permission-backend-module-allow-all-policy'\s*\),?\s*\);/;
  if (!allowAll.test(backendSrc)) {
    throw new Error(
      `${backendIndex}: the allow-all policy line the README replaces is not there`,
    );
  }
  backendSrc = backendSrc.replace(
    allowAll,
    `backend.add(import('${POLICY_PACKAGE}'));`,
  );
  console.log(
    `packages/backend/src/index.ts: ${POLICY_PACKAGE} in place of the allow-all policy`,
  );
}
writeFileSync(backendIndex, backendSrc);
console.log(
  'packages/backend/src/index.ts: @app-access/plugin-app-access-backend',
);

// Frontend (new frontend system): the README's /alpha feature in createApp.
const appFile = join(appDir, 'packages', 'app', 'src', 'App.tsx');
let appSrc = readFileSync(appFile, 'utf8');
const features = /features:\s*\[/;
if (!features.test(appSrc)) {
  throw new Error(
    `${appFile}: no createApp({ features: [...] }) to add App Access to`,
  );
}
appSrc = `import appAccessPlugin from '@app-access/plugin-app-access/alpha';\n${appSrc.replace(
  features,
  'features: [appAccessPlugin, ',
)}`;
writeFileSync(appFile, appSrc);
console.log(
  'packages/app/src/App.tsx: appAccessPlugin from /alpha in createApp features',
);

// app-config.local.yaml is read after app-config.yaml by `yarn start` and
// `backstage-cli package build`. The guest provider signs in as whichever
// catalog user INSTALL_CHECK_USER names, so one backend can be started as the
// employee and then as the admin.
const org = join(fixturesDir, 'org.yaml');
const apps = join(fixturesDir, 'apps.yaml');
const baseUrl = `http://localhost:${port}`;
writeFileSync(
  join(appDir, 'app-config.local.yaml'),
  `# Written by App Access's install check (scripts/install-check/prepare-app.mjs).
app:
  baseUrl: ${baseUrl}
backend:
  baseUrl: ${baseUrl}
  listen:
    port: ${port}
  cors:
    origin: ${baseUrl}
auth:
  providers:
    guest:
      userEntityRef: \${INSTALL_CHECK_USER}
catalog:
  locations:
    - type: file
      target: ${org}
      rules:
        - allow: [User, Group]
appAccess:
  catalog:
    seedFiles:
      - ${apps}
  permissions:
    adminGroups:
      - group:default/it-admins
`,
);
console.log(
  `app-config.local.yaml: port ${port}, guest sign-in, org ${org}, apps ${apps}`,
);
console.log(`policy package: ${hasPolicy ? 'installed' : 'missing'}`);
