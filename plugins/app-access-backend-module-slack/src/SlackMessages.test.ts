import {
  AccessRequest,
  ApprovalTask,
} from '@app-access/plugin-app-access-common';
import {
  approvalMessage,
  channelRequestMessage,
  decidedMessage,
  requesterMessage,
} from './SlackMessages';

const hostile = '<!channel> <https://evil.example|Click to approve>';

const request: AccessRequest = {
  id: 'req-1',
  kind: 'intake',
  appName: hostile,
  requester: 'user:default/jane.doe',
  status: 'pending_approval',
  level: 1,
  justification: hostile,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

const task: ApprovalTask = {
  id: 'task-1',
  requestId: 'req-1',
  level: 1,
  approvers: ['user:default/sam.manager'],
  status: 'approved',
  decidedBy: 'user:default/sam.manager',
  reminders: 0,
  fallback: false,
  createdAt: '2026-12-01T00:00:00.000Z',
};

const summary = {
  request,
  task,
  requesterName: '<!here> Jane',
  url: 'https://portal.example/apps/requests/req-1',
};

describe('Slack messages', () => {
  // The fallback text is what the notification (and screen readers) show:
  // Slack parses it as mrkdwn too, so a mention or a link in a name pings
  // the channel or renders a link exactly as it would in a block.
  it.each([
    ['an approval DM', approvalMessage({ ...summary, reminderNumber: 2 })],
    [
      'a decided DM',
      decidedMessage({ ...summary, deciderName: '<!everyone>' }),
    ],
    [
      'a channel post',
      channelRequestMessage({ ...summary, approverNames: [] }),
    ],
    [
      'a requester update',
      requesterMessage({
        request,
        kind: 'decision_recorded',
        task,
        deciderName: '<!everyone>',
        url: summary.url,
      }),
    ],
  ])('escapes the fallback text of %s like its blocks', (_, message) => {
    expect(message.text).not.toMatch(/<!|<https/);
    expect(message.text).toContain('&lt;!');
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).not.toMatch(/<!|<https:\/\/evil/);
  });
});
