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
});
