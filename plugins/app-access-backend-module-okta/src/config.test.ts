import crypto from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import { readOktaConfig, readOktaSyncConfig } from './config';

const read = (okta: unknown) =>
  readOktaConfig(new ConfigReader({ appAccess: { okta } } as any));

describe('readOktaConfig', () => {
  const pem = crypto
    .generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();

  it('is off without an appAccess.okta block', () => {
    expect(readOktaConfig(new ConfigReader({ appAccess: {} }))).toBeUndefined();
  });

  it('reads an API token setup with defaults', () => {
    expect(
      read({ orgUrl: 'https://acme.okta.com/', apiToken: ' 00abc ' }),
    ).toEqual({
      orgUrl: 'https://acme.okta.com',
      auth: { type: 'apiToken', token: '00abc' },
      allowed: { groupIds: undefined, appIds: undefined },
      provisioningTimeoutMs: 10 * 60_000,
      pollMs: 30_000,
      requestTimeoutMs: 30_000,
    });
  });

  it('reads an OAuth setup with default or given scopes', () => {
    expect(
      read({
        orgUrl: 'https://acme.okta.com',
        oauth: { clientId: '0oa1', privateKey: pem },
      })?.auth,
    ).toEqual({
      type: 'oauth',
      clientId: '0oa1',
      privateKey: pem.trim(),
      keyId: undefined,
      scopes: ['okta.users.read', 'okta.groups.manage', 'okta.apps.manage'],
    });
    expect(
      read({
        orgUrl: 'https://acme.okta.com',
        oauth: {
          clientId: '0oa1',
          privateKey: pem,
          keyId: 'k1',
          scopes: 'okta.users.read okta.groups.manage',
        },
      })?.auth,
    ).toMatchObject({
      keyId: 'k1',
      scopes: ['okta.users.read', 'okta.groups.manage'],
    });
  });

  const broken: Array<[unknown, RegExp]> = [
    [
      { orgUrl: 'https://acme.okta.com' },
      /^Invalid config appAccess\.okta: set apiToken .* or oauth/,
    ],
    [
      {
        orgUrl: 'https://acme.okta.com',
        apiToken: 'x',
        oauth: { clientId: 'a', privateKey: pem },
      },
      /^Invalid config appAccess\.okta: set either apiToken or oauth, not both/,
    ],
    [
      { orgUrl: 'acme.okta.com', apiToken: 'x' },
      /^Invalid config appAccess\.okta\.orgUrl: 'acme.okta.com' is not a URL/,
    ],
    [
      { orgUrl: 'http://acme.okta.com', apiToken: 'x' },
      /^Invalid config appAccess\.okta\.orgUrl: must be an https URL/,
    ],
    [
      { orgUrl: 'https://acme-admin.okta.com', apiToken: 'x' },
      /^Invalid config appAccess\.okta\.orgUrl: .* is the admin console/,
    ],
    [
      { orgUrl: 'https://acme.okta.com/api/v1', apiToken: 'x' },
      /^Invalid config appAccess\.okta\.orgUrl: must be the bare org URL/,
    ],
    [
      { orgUrl: 'https://acme.okta.com', apiToken: 'SSWS 00abc' },
      /^Invalid config appAccess\.okta\.apiToken: give the token itself/,
    ],
    [
      { orgUrl: 'https://acme.okta.com', oauth: { privateKey: pem } },
      /^Invalid config appAccess\.okta\.oauth\.clientId: is required/,
    ],
    [
      { orgUrl: 'https://acme.okta.com', oauth: { clientId: 'a' } },
      /^Invalid config appAccess\.okta\.oauth\.privateKey: is required/,
    ],
    [
      {
        orgUrl: 'https://acme.okta.com',
        oauth: { clientId: 'a', privateKey: 'not a key' },
      },
      /^Invalid config appAccess\.okta\.oauth\.privateKey: is not a PEM or JWK private key/,
    ],
    [
      {
        orgUrl: 'https://acme.okta.com',
        oauth: { clientId: 'a', privateKey: pem, scopes: [] },
      },
      /^Invalid config appAccess\.okta\.oauth\.scopes: must list at least one scope/,
    ],
    [
      { orgUrl: 'https://acme.okta.com', apiToken: 'x', pollSeconds: 0 },
      /^Invalid config appAccess\.okta\.pollSeconds: must be a positive number/,
    ],
    [
      {
        orgUrl: 'https://acme.okta.com',
        apiToken: 'x',
        provisioningTimeoutMinutes: -1,
      },
      /^Invalid config appAccess\.okta\.provisioningTimeoutMinutes: must be a positive number/,
    ],
  ];
  it.each(broken.map(([okta, message]) => [message, okta] as const))(
    'refuses with %s',
    (message, okta) => {
      expect(() => read(okta)).toThrow(message);
    },
  );

  it('reads the allow-lists: absent is any id, empty is none', () => {
    expect(
      read({
        orgUrl: 'https://acme.okta.com',
        apiToken: 'x',
        allowedGroupIds: [' 00gzoom ', '00gzoom', '00gfigma'],
        allowedAppIds: [],
      })?.allowed,
    ).toEqual({ groupIds: ['00gzoom', '00gfigma'], appIds: [] });
    expect(() =>
      read({
        orgUrl: 'https://acme.okta.com',
        apiToken: 'x',
        allowedGroupIds: '00gzoom',
      }),
    ).toThrow(
      /^Invalid config appAccess\.okta\.allowedGroupIds: must be a list of Okta ids/,
    );
  });

  it('accepts http only for a local org (tests)', () => {
    expect(
      read({ orgUrl: 'http://127.0.0.1:8080', apiToken: 'x' })?.orgUrl,
    ).toBe('http://127.0.0.1:8080');
  });
});

describe('readOktaSyncConfig', () => {
  const sync = (value: unknown) =>
    readOktaSyncConfig(
      new ConfigReader({
        appAccess: {
          okta: { orgUrl: 'https://acme.okta.com', apiToken: 'x', sync: value },
        },
      } as any),
    );

  it('is on by default, hourly, without last sign-ins', () => {
    expect(sync(undefined)).toEqual({
      enabled: true,
      everyMinutes: 60,
      lastUsed: false,
      lastUsedLookbackDays: 7,
      requestsPerMinute: undefined,
      fullEveryHours: 24,
      rateLimitReservePercent: 10,
      rateLimitReserveReleaseSeconds: 10,
    });
  });

  it('reads every key', () => {
    expect(
      sync({
        enabled: false,
        everyMinutes: 15,
        lastUsed: true,
        lastUsedLookbackDays: 30,
        requestsPerMinute: 300,
        fullEveryHours: 168,
        rateLimitReservePercent: 0,
        rateLimitReserveReleaseSeconds: 0,
      }),
    ).toEqual({
      enabled: false,
      everyMinutes: 15,
      lastUsed: true,
      lastUsedLookbackDays: 30,
      requestsPerMinute: 300,
      fullEveryHours: 168,
      rateLimitReservePercent: 0,
      rateLimitReserveReleaseSeconds: 0,
    });
  });

  it.each([
    [{ everyMinutes: 0 }, /sync\.everyMinutes: must be a positive number/],
    [{ requestsPerMinute: 0 }, /sync\.requestsPerMinute: must be at least 1/],
    [
      { rateLimitReservePercent: 95 },
      /sync\.rateLimitReservePercent: must be between 0 and 90/,
    ],
    [
      { rateLimitReserveReleaseSeconds: 61 },
      /sync\.rateLimitReserveReleaseSeconds: must be between 0 and 60/,
    ],
    [
      { lastUsedLookbackDays: 120 },
      /sync\.lastUsedLookbackDays: must be between 1 and 90/,
    ],
    [{ fullEveryHours: -1 }, /sync\.fullEveryHours: must be a positive number/],
  ])('refuses %j', (value, message) => {
    expect(() => sync(value)).toThrow(message);
  });
});
