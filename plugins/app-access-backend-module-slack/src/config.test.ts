import { ConfigReader } from '@backstage/config';
import { readSlackSettings } from './config';

type ConfigData = ConstructorParameters<typeof ConfigReader>[0];

const read = (slack: object) =>
  readSlackSettings(
    new ConfigReader({ appAccess: { slack } } as unknown as ConfigData),
  );

describe('readSlackSettings', () => {
  it('is undefined when Slack is not configured', () => {
    expect(
      readSlackSettings(new ConfigReader({ appAccess: {} })),
    ).toBeUndefined();
  });

  it('reads a complete block', () => {
    expect(
      read({
        botToken: 'xoxb-1',
        signingSecret: 's3cret',
        channel: 'C0123ABC',
        apiUrl: 'http://127.0.0.1:9999/api',
      }),
    ).toEqual({
      botToken: 'xoxb-1',
      signingSecret: 's3cret',
      channel: 'C0123ABC',
      apiUrl: 'http://127.0.0.1:9999/api/',
    });
  });

  it('needs no signing secret with Socket Mode', () => {
    expect(
      read({ botToken: 'xoxb-1', socketMode: { appToken: 'xapp-1' } }),
    ).toEqual({
      botToken: 'xoxb-1',
      socketModeAppToken: 'xapp-1',
    });
  });

  it.each([
    [{ signingSecret: 's' }, 'appAccess.slack.botToken'],
    [
      { botToken: 'xoxp-user-token', signingSecret: 's' },
      'appAccess.slack.botToken',
    ],
    [{ botToken: 'xoxb-1' }, 'appAccess.slack.signingSecret'],
    [
      { botToken: 'xoxb-1', signingSecret: 's', channel: '#approvals' },
      'appAccess.slack.channel',
    ],
    [
      { botToken: 'xoxb-1', signingSecret: 's', apiUrl: 'not a url' },
      'appAccess.slack.apiUrl',
    ],
    [
      { botToken: 'xoxb-1', signingSecret: 's', apiUrl: 'ftp://x/' },
      'appAccess.slack.apiUrl',
    ],
    [
      { botToken: 'xoxb-1', socketMode: { appToken: 'xoxb-not-an-app-token' } },
      'appAccess.slack.socketMode.appToken',
    ],
    [
      { botToken: 'xoxb-1', socketMode: {} },
      'appAccess.slack.socketMode.appToken',
    ],
  ])('refuses %j naming %s', (slack, key) => {
    expect(() => read(slack)).toThrow(key);
  });
});
