import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import JSZip from 'jszip';

// The bin is plain Node so it runs without a build step.
const {
  buildTeamsPackageFiles,
  buildTeamsPackageZip,
  main,
} = require('../bin/teamsPackage');

const APP_ID = '0b7e3c1a-5d2f-4e8b-9a61-3c4d5e6f7a8b';
const input = {
  appId: APP_ID,
  baseUrl: 'https://backstage.acme.example/',
  backendBaseUrl: 'https://backstage-api.acme.example',
  organization: 'Acme',
};

/** Width, height and RGBA pixels of a PNG the package wrote. */
function readPng(buf: Buffer) {
  expect(buf.subarray(1, 4).toString('ascii')).toBe('PNG');
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let off = 8; off < buf.length; ) {
    const len = buf.readUInt32BE(off);
    const type = buf.subarray(off + 4, off + 8).toString('ascii');
    if (type === 'IDAT') idat.push(buf.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const pixel = (x: number, y: number) => {
    const i = y * (width * 4 + 1) + 1 + x * 4;
    return [...raw.subarray(i, i + 4)];
  };
  return { width, height, pixel };
}

describe('the Teams app package', () => {
  it('declares a personal-scope bot with the app id, the portal as developer site, and both icons', () => {
    const { manifest, files } = buildTeamsPackageFiles(input);
    expect(manifest).toMatchObject({
      manifestVersion: '1.19',
      id: APP_ID,
      bots: [{ botId: APP_ID, scopes: ['personal'] }],
      developer: {
        name: 'Acme',
        websiteUrl: 'https://backstage.acme.example',
      },
      icons: { color: 'color.png', outline: 'outline.png' },
      validDomains: ['backstage.acme.example', 'backstage-api.acme.example'],
    });
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);

    const color = readPng(files['color.png']);
    expect([color.width, color.height]).toEqual([192, 192]);
    expect(color.pixel(5, 5)).toEqual([0x2f, 0x5b, 0xd3, 255]);

    // Teams wants the outline icon white on transparent, 32×32.
    const outline = readPng(files['outline.png']);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    const pixels = Array.from({ length: 32 * 32 }, (_, i) =>
      outline.pixel(i % 32, Math.floor(i / 32)),
    );
    expect(pixels.every(([r, g, b, a]) => a === 0 || r + g + b === 765)).toBe(
      true,
    );
    expect(pixels.some(([, , , a]) => a === 255)).toBe(true);
    expect(pixels.some(([, , , a]) => a === 0)).toBe(true);
  });

  it('refuses what Teams would refuse: no app id, a plain-http portal', () => {
    expect(() =>
      buildTeamsPackageFiles({ ...input, appId: 'app-access' }),
    ).toThrow(/appAccess\.msteams\.bot\.appId must be the Application/);
    expect(() =>
      buildTeamsPackageFiles({ ...input, baseUrl: 'http://localhost:3000' }),
    ).toThrow(/app\.baseUrl must be https/);
  });

  it('zips the three files at the root of the archive', async () => {
    const zip = await JSZip.loadAsync(await buildTeamsPackageZip(input));
    expect(Object.keys(zip.files).sort()).toEqual([
      'color.png',
      'manifest.json',
      'outline.png',
    ]);
    const manifest = JSON.parse(
      await zip.file('manifest.json')!.async('string'),
    );
    expect(manifest.id).toBe(APP_ID);
  });

  it('the command reads app-config (with ${VARS}) and writes the zip', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teams-package-'));
    const cwd = process.cwd();
    const env = process.env.TEAMS_BOT_APP_ID;
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation(() => true);
    try {
      fs.writeFileSync(
        path.join(dir, 'app-config.yaml'),
        [
          'app: { baseUrl: "https://backstage.acme.example" }',
          'backend: { baseUrl: "https://backstage-api.acme.example" }',
          'organization: { name: Acme }',
          'appAccess:',
          '  msteams:',
          '    bot:',
          '      appId: ${TEAMS_BOT_APP_ID}',
          '',
        ].join('\n'),
      );
      process.env.TEAMS_BOT_APP_ID = APP_ID;
      process.chdir(dir);
      await main(['--out', 'teams.zip', '--name', 'Access']);
      const zip = await JSZip.loadAsync(
        fs.readFileSync(path.join(dir, 'teams.zip')),
      );
      const manifest = JSON.parse(
        await zip.file('manifest.json')!.async('string'),
      );
      expect(manifest).toMatchObject({
        id: APP_ID,
        name: { short: 'Access', full: 'Access (Acme)' },
      });
      expect(String(write.mock.calls[0][0])).toContain('Wrote teams.zip');
    } finally {
      write.mockRestore();
      process.chdir(cwd);
      if (env === undefined) delete process.env.TEAMS_BOT_APP_ID;
      else process.env.TEAMS_BOT_APP_ID = env;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
