// @ts-check
/* eslint-disable no-restricted-syntax */
'use strict';

/**
 * Builds the Microsoft Teams app package (manifest.json + two icons, zipped)
 * for the App Access bot from the backend's app-config, so IT uploads one
 * file in the Teams admin centre. Plain Node (no build step): the package's
 * `app-access-teams-package` bin runs it.
 */

const zlib = require('node:zlib');
const JSZip = require('jszip');

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** CRC-32 for PNG chunks. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An RGBA PNG of size x size, each pixel from paint(x, y) → [r,g,b,a]. */
function png(size, paint) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = paint(x, y);
      const i = y * (size * 4 + 1) + 1 + x * 4;
      raw[i] = r;
      raw[i + 1] = g;
      raw[i + 2] = b;
      raw[i + 3] = a;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** True when (x, y), in 0..1 units, lies on the check mark. */
function onCheck(x, y, width) {
  const dist = (px, py, ax, ay, bx, by) => {
    const t = Math.max(
      0,
      Math.min(
        1,
        ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) /
          ((bx - ax) ** 2 + (by - ay) ** 2),
      ),
    );
    return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
  };
  return (
    dist(x, y, 0.27, 0.52, 0.44, 0.68) < width ||
    dist(x, y, 0.44, 0.68, 0.74, 0.34) < width
  );
}

function hexColor(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`accent colour '${hex}' is not #RRGGBB`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The full-colour icon (192×192): a white check on the accent colour. */
function colorIcon(accent) {
  const [r, g, b] = hexColor(accent);
  return png(192, (x, y) =>
    onCheck(x / 192, y / 192, 0.06) ? [255, 255, 255, 255] : [r, g, b, 255],
  );
}

/** The outline icon (32×32): white on transparent, as Teams requires. */
function outlineIcon() {
  return png(32, (x, y) =>
    onCheck((x + 0.5) / 32, (y + 0.5) / 32, 0.08)
      ? [255, 255, 255, 255]
      : [0, 0, 0, 0],
  );
}

/**
 * The manifest and files of the package.
 *
 * @param {{ appId: string, baseUrl: string, backendBaseUrl: string,
 *   organization?: string, name?: string, version?: string,
 *   accentColor?: string, privacyUrl?: string, termsOfUseUrl?: string }} input
 */
function buildTeamsPackageFiles(input) {
  if (!GUID.test(input.appId ?? '')) {
    throw new Error(
      'appAccess.msteams.bot.appId must be the Application (client) ID of the bot (a GUID)',
    );
  }
  const portal = new URL(input.baseUrl);
  const backend = new URL(input.backendBaseUrl);
  if (portal.protocol !== 'https:') {
    throw new Error(
      `app.baseUrl must be https for a Teams app (got ${portal.protocol}//${portal.host})`,
    );
  }
  const name = input.name ?? 'App Access';
  const organization = input.organization ?? 'Your company';
  const accentColor = input.accentColor ?? '#2F5BD3';
  const manifest = {
    $schema:
      'https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/MicrosoftTeams.schema.json',
    manifestVersion: '1.19',
    version: input.version ?? '1.0.0',
    id: input.appId,
    developer: {
      name: organization,
      websiteUrl: portal.origin,
      privacyUrl: input.privacyUrl ?? portal.origin,
      termsOfUseUrl: input.termsOfUseUrl ?? portal.origin,
    },
    name: {
      short: name.slice(0, 30),
      full: `${name} (${organization})`.slice(0, 100),
    },
    description: {
      short: 'Approve access requests for SaaS apps in Teams'.slice(0, 80),
      full: `${name} asks you in this chat to approve or deny requests for access to apps when you are an approver, and tells you how your own requests are doing. Decisions follow the same rules as in the ${organization} developer portal.`,
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor,
    bots: [
      {
        botId: input.appId,
        scopes: ['personal'],
        supportsFiles: false,
        isNotificationOnly: false,
      },
    ],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [...new Set([portal.host, backend.host])],
  };
  return {
    manifest,
    files: {
      'manifest.json': Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
      'color.png': colorIcon(accentColor),
      'outline.png': outlineIcon(),
    },
  };
}

/** The zip IT uploads (files at the root of the archive, as Teams wants). */
async function buildTeamsPackageZip(input) {
  const { files } = buildTeamsPackageFiles(input);
  const zip = new JSZip();
  const date = new Date('2026-01-01T00:00:00Z'); // reproducible bytes
  for (const [name, data] of Object.entries(files))
    zip.file(name, data, { date });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

function usage() {
  return `Usage: app-access-teams-package [--config app-config.yaml ...] [--out app-access-teams.zip]
            [--name "App Access"] [--version 1.0.0] [--accent-color #2F5BD3]
            [--privacy-url URL] [--terms-url URL]

Reads appAccess.msteams.bot.appId, app.baseUrl, backend.baseUrl and
organization.name from the given config files (default: app-config.yaml and,
if present, app-config.production.yaml in the current directory; \${VARS} are
substituted from the environment) and writes the Teams app package.`;
}

function parseArgs(argv) {
  const args = { config: [], out: 'app-access-teams.zip' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--config':
        args.config.push(value());
        break;
      case '--out':
        args.out = value();
        break;
      case '--name':
        args.name = value();
        break;
      case '--version':
        args.version = value();
        break;
      case '--accent-color':
        args.accentColor = value();
        break;
      case '--privacy-url':
        args.privacyUrl = value();
        break;
      case '--terms-url':
        args.termsOfUseUrl = value();
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new Error(`unknown option ${flag}\n\n${usage()}`);
    }
  }
  return args;
}

async function main(argv) {
  const fs = require('node:fs');
  const path = require('node:path');
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const files = args.config.length
    ? args.config
    : ['app-config.yaml', 'app-config.production.yaml'].filter(f =>
        fs.existsSync(f),
      );
  if (!files.length) throw new Error(`no config file found\n\n${usage()}`);
  const { loadConfig } = require('@backstage/config-loader');
  const { ConfigReader } = require('@backstage/config');
  const { appConfigs } = await loadConfig({
    configRoot: process.cwd(),
    configTargets: files.map(f => ({ path: path.resolve(f) })),
  });
  const config = ConfigReader.fromConfigs(appConfigs);
  const appId = config.getOptionalString('appAccess.msteams.bot.appId');
  if (!appId) {
    throw new Error(
      `appAccess.msteams.bot.appId is not set in ${files.join(', ')}`,
    );
  }
  const zip = await buildTeamsPackageZip({
    appId,
    baseUrl: config.getString('app.baseUrl'),
    backendBaseUrl: config.getString('backend.baseUrl'),
    organization: config.getOptionalString('organization.name'),
    name: args.name,
    version: args.version,
    accentColor: args.accentColor,
    privacyUrl: args.privacyUrl,
    termsOfUseUrl: args.termsOfUseUrl,
  });
  fs.writeFileSync(args.out, zip);
  process.stdout.write(
    `Wrote ${args.out} (${zip.length} bytes): upload it in the Teams admin centre → Teams apps → Manage apps → Upload new app\n`,
  );
}

module.exports = { buildTeamsPackageFiles, buildTeamsPackageZip, main };
