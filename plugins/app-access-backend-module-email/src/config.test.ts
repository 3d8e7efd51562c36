import { generateKeyPairSync } from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import { readEmailConfig, sanitizeBranding } from './config';

const base = {
  backend: { baseUrl: 'https://backstage.acme.example/' },
  appAccess: {
    email: {
      smtp: { host: 'smtp.acme.example' },
      from: { address: 'it-apps@acme.example' },
    },
  },
};

function read(patch: (data: any) => void) {
  const data = structuredClone(base) as any;
  patch(data);
  return () => readEmailConfig(new ConfigReader(data));
}

describe('readEmailConfig', () => {
  it('is undefined when appAccess.email is absent', () => {
    expect(
      readEmailConfig(new ConfigReader({ appAccess: {} })),
    ).toBeUndefined();
  });

  it('applies the defaults', () => {
    expect(readEmailConfig(new ConfigReader(base))).toEqual({
      smtp: {
        host: 'smtp.acme.example',
        port: 587,
        secure: false,
        requireTLS: false,
        ignoreTLS: false,
        auth: undefined,
      },
      dkim: undefined,
      from: { name: undefined, address: 'it-apps@acme.example' },
      tokenTtlDays: 7,
      ticketAddress: undefined,
      backendBaseUrl: 'https://backstage.acme.example',
      branding: {
        title: 'App Access',
        logoUrl: undefined,
        accentColor: '#1f5493',
      },
    });
    expect(read(d => (d.appAccess.email.smtp.secure = true))()?.smtp.port).toBe(
      465,
    );
  });

  it.each([
    [
      'a missing host',
      (d: any) => delete d.appAccess.email.smtp.host,
      /appAccess\.email\.smtp\.host/,
    ],
    [
      'a missing smtp block',
      (d: any) => delete d.appAccess.email.smtp,
      /appAccess\.email\.smtp: required/,
    ],
    [
      'a port out of range',
      (d: any) => (d.appAccess.email.smtp.port = 70000),
      /appAccess\.email\.smtp\.port: 70000 is not a port/,
    ],
    [
      'a port that is not a number',
      (d: any) => (d.appAccess.email.smtp.port = 'smtp'),
      /appAccess\.email\.smtp\.port/,
    ],
    [
      'a user without a password',
      (d: any) => (d.appAccess.email.smtp.auth = { user: 'x' }),
      /appAccess\.email\.smtp\.auth\.pass/,
    ],
    [
      'a missing from address',
      (d: any) => delete d.appAccess.email.from,
      /appAccess\.email\.from\.address/,
    ],
    [
      'a from address that is none',
      (d: any) => (d.appAccess.email.from.address = 'it apps'),
      /appAccess\.email\.from\.address: 'it apps' is not an email address/,
    ],
    [
      'a bad ticket address',
      (d: any) => (d.appAccess.email.ticketAddress = 'helpdesk'),
      /appAccess\.email\.ticketAddress/,
    ],
    [
      'a zero token lifetime',
      (d: any) => (d.appAccess.email.tokenTtlDays = 0),
      /appAccess\.email\.tokenTtlDays/,
    ],
    [
      'an incomplete DKIM block',
      (d: any) => (d.appAccess.email.dkim = { domainName: 'acme.example' }),
      /appAccess\.email\.dkim\.privateKey/,
    ],
    [
      'a DKIM key that is none',
      (d: any) =>
        (d.appAccess.email.dkim = {
          domainName: 'a',
          keySelector: 's',
          privateKey: 'secret-ish',
        }),
      /appAccess\.email\.dkim\.privateKey: is not a PEM private key/,
    ],
    [
      'a missing backend.baseUrl',
      (d: any) => delete d.backend,
      /backend\.baseUrl/,
    ],
  ])('fails start-up on %s, naming the key', (_what, patch, message) => {
    expect(read(patch)).toThrow(message);
  });

  it('never repeats a secret in its messages', () => {
    const thrown = (() => {
      try {
        read(
          d =>
            (d.appAccess.email.dkim = {
              domainName: 'a',
              keySelector: 's',
              privateKey: 'hunter2-key',
            }),
        )();
      } catch (e) {
        return String(e);
      }
      return '';
    })();
    expect(thrown).not.toContain('hunter2');
  });

  it('reads DKIM keys given with \\n escapes (environment variables)', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const config = read(d => {
      d.appAccess.email.dkim = {
        domainName: 'acme.example',
        keySelector: 'apps',
        privateKey: pem.replace(/\n/g, '\\n'),
      };
    })();
    expect(config?.dkim?.privateKey).toBe(pem);
  });
});

describe('sanitizeBranding', () => {
  it('keeps safe values and replaces the rest with defaults', () => {
    expect(
      sanitizeBranding({
        title: ' Acme Apps ',
        logoUrl: 'https://acme.example/logo.png',
        accentColor: '#AbCdEf',
      }),
    ).toEqual({
      title: 'Acme Apps',
      logoUrl: 'https://acme.example/logo.png',
      accentColor: '#AbCdEf',
    });
    expect(
      sanitizeBranding({
        logoUrl: 'ftp://acme.example/logo.png" onerror="x',
        accentColor: 'red;background:url(x)',
      }),
    ).toEqual({
      title: 'App Access',
      logoUrl: undefined,
      accentColor: '#1f5493',
    });
  });
});
