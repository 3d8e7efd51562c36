import { AppAccessDecisionApi, AppAccessMessage } from './extensions';
import { connectedNotifier } from './connectedNotifier';

const decisions = {
  portalUrl: (path: string) => `http://portal.example.com${path}`,
} as AppAccessDecisionApi;

const message = {
  kind: 'approval_needed',
  audience: 'approvers',
  recipients: ['user:default/sam.manager'],
  url: 'http://portal.example.com/apps/approvals',
  idempotencyKey: 'key-1',
} as AppAccessMessage;

describe('connectedNotifier', () => {
  it('builds the channel from the decision API it is connected with, once, and delivers through it', async () => {
    const sent: string[] = [];
    const build = jest.fn(async (api: AppAccessDecisionApi) => ({
      id: 'pigeon',
      notify: async (m: AppAccessMessage) => {
        sent.push(`${m.recipients[0]} at ${api.portalUrl('/apps')}`);
        return { unreachable: [] };
      },
      selfTest: async () => ({ ok: true, message: 'pigeon is fed' }),
    }));
    const notifier = connectedNotifier('pigeon', build);
    expect(notifier.id).toBe('pigeon');
    expect(build).not.toHaveBeenCalled();

    await notifier.connect!(decisions);
    expect(await notifier.notify(message)).toEqual({ unreachable: [] });
    expect(await notifier.selfTest()).toEqual({
      ok: true,
      message: 'pigeon is fed',
    });
    expect(sent).toEqual([
      'user:default/sam.manager at http://portal.example.com/apps',
    ]);
    expect(build).toHaveBeenCalledTimes(1);

    await expect(notifier.connect!(decisions)).rejects.toThrow(
      'The pigeon notifier is already connected',
    );
  });

  it('refuses to deliver before it is connected', async () => {
    const notifier = connectedNotifier('pigeon', async () => {
      throw new Error('never built');
    });
    await expect(notifier.notify(message)).rejects.toThrow(
      'The pigeon notifier was used before it was connected',
    );
  });
});
