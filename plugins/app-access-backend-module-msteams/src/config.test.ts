import { ConfigReader } from '@backstage/config';
import { readTeamsSettings } from './config';

type ConfigData = ConstructorParameters<typeof ConfigReader>[0];

const read = (msteams: object) =>
  readTeamsSettings(
    new ConfigReader({ appAccess: { msteams } } as unknown as ConfigData),
  );

describe('readTeamsSettings', () => {
  it('is undefined when Teams is not configured', () => {
    expect(readTeamsSettings(new ConfigReader({}))).toBeUndefined();
  });

  it('reads an https webhook URL', () => {
    expect(
      read({ webhookUrl: 'https://prod.logic.azure.com/x?sig=s' }),
    ).toEqual({
      webhookUrl: 'https://prod.logic.azure.com/x?sig=s',
    });
  });

  it.each([
    [{}, /appAccess\.msteams\.webhookUrl: is required/],
    [{ webhookUrl: 'nope' }, /appAccess\.msteams\.webhookUrl: is not a URL/],
    [
      { webhookUrl: 'http://prod.logic.azure.com/x?sig=s' },
      /appAccess\.msteams\.webhookUrl: must be an https URL/,
    ],
  ])('refuses %j', (msteams, error) => {
    expect(() => read(msteams)).toThrow(error);
  });

  it('does not echo the URL, which carries its signature', () => {
    expect(() =>
      read({ webhookUrl: 'http://example.com/x?sig=secret' }),
    ).toThrow(/^(?!.*secret)/);
  });

  const APP = '0b7e3c1a-5d2f-4e8b-9a61-3c4d5e6f7a8b';
  const TENANT = '11111111-2222-4333-8444-555555555555';

  it('reads a bot with the Bot Framework and Entra defaults', () => {
    expect(
      read({ bot: { appId: APP, appPassword: 's3cret', tenantId: TENANT } }),
    ).toEqual({
      bot: {
        appId: APP,
        appPassword: 's3cret',
        tenantId: TENANT,
        openIdMetadataUrl:
          'https://login.botframework.com/v1/.well-known/openidconfiguration',
        issuer: 'https://api.botframework.com',
        tokenUrl: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
        scope: 'https://api.botframework.com/.default',
        objectIdAnnotations: ['graph.microsoft.com/user-id'],
      },
    });
  });

  it('looks up the object id in a configured annotation besides the Graph one', () => {
    const bot = {
      appId: APP,
      appPassword: 's3cret',
      tenantId: TENANT,
    };
    expect(
      read({ bot: { ...bot, objectIdAnnotation: 'acme.com/entra-oid' } })?.bot
        ?.objectIdAnnotations,
    ).toEqual(['graph.microsoft.com/user-id', 'acme.com/entra-oid']);
    expect(
      read({
        bot: { ...bot, objectIdAnnotation: 'graph.microsoft.com/user-id' },
      })?.bot?.objectIdAnnotations,
    ).toEqual(['graph.microsoft.com/user-id']);
  });

  it('keeps the webhook as the channel option next to the bot', () => {
    const both = read({
      webhookUrl: 'https://prod.logic.azure.com/x?sig=s',
      bot: { appId: APP, appPassword: 's3cret', tenantId: TENANT },
    });
    expect(both?.webhookUrl).toBe('https://prod.logic.azure.com/x?sig=s');
    expect(both?.bot?.appId).toBe(APP);
  });

  it.each([
    [{ appPassword: 's', tenantId: TENANT }, /bot\.appId: is required/],
    [
      { appId: 'app-access-bot', appPassword: 's', tenantId: TENANT },
      /bot\.appId: must be the Application \(client\) ID/,
    ],
    [{ appId: APP, tenantId: TENANT }, /bot\.appPassword: is required/],
    [
      { appId: APP, appPassword: 's', tenantId: 'acme.onmicrosoft.com' },
      /bot\.tenantId: must be the Directory \(tenant\) ID/,
    ],
    [
      {
        appId: APP,
        appPassword: 's',
        tenantId: TENANT,
        tokenUrl: 'http://login.example/token',
      },
      /bot\.tokenUrl: must be an https URL/,
    ],
    [
      {
        appId: APP,
        appPassword: 's',
        tenantId: TENANT,
        objectIdAnnotation: 'entra object id',
      },
      /bot\.objectIdAnnotation: 'entra object id' is not an annotation key/,
    ],
  ])('refuses bot %j', (bot, error) => {
    expect(() => read({ bot })).toThrow(error);
  });
});
