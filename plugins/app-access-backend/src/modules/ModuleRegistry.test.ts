import { ModuleRegistry } from './ModuleRegistry';

describe('ModuleRegistry', () => {
  it('refuses a module installed twice, naming it', () => {
    const registry = new ModuleRegistry([
      { id: 'jira', title: 'Jira', configured: true, missing: [] },
    ]);
    expect(() =>
      registry.add({
        id: 'jira',
        title: 'Jira',
        configured: false,
        missing: [],
      }),
    ).toThrow(/'jira' is installed twice/);
  });

  it('keeps its own copy of what a module reported', () => {
    const missing = ['appAccess.slack.botToken'];
    const registry = new ModuleRegistry([
      { id: 'slack', title: 'Slack', configured: false, missing },
    ]);
    missing.push('appAccess.slack.signingSecret');
    expect(registry.integrations().slack).toEqual({
      installed: true,
      configured: false,
      missing: ['appAccess.slack.botToken'],
    });
  });
});
