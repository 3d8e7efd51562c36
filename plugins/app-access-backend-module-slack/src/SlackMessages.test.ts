import {
  AccessRequest,
  ApprovalTask,
} from '@app-access/plugin-app-access-common';
import {
  approvalMessage,
  channelRequestMessage,
  decidedMessage,
  denyReasonView,
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

  describe("a request filed on someone else's behalf", () => {
    const access: AccessRequest = {
      ...request,
      kind: 'access',
      appName: 'Figma',
      tierName: 'Pro',
      justification: 'New hire',
      requester: 'user:default/sam.manager',
      grantee: 'user:default/jane.doe',
    };
    const own = {
      request: { ...access, requester: 'user:default/jane.doe' },
      task: { ...task, status: 'open' as const },
      requesterName: 'Jane Doe',
      url: summary.url,
    };
    const behalf = {
      ...own,
      request: access,
      requesterName: 'Sam Manager',
      granteeName: 'Jane Doe',
    };
    const texts = (m: { text: string; blocks: unknown }) =>
      `${m.text}\n${JSON.stringify(m.blocks)}`;

    it('names the grantee first, then who filed it, in every approver message', () => {
      const ask = approvalMessage(behalf);
      expect(ask.text).toBe(
        'Access to Figma Pro for Jane Doe, filed by Sam Manager: approve or deny',
      );
      expect(texts(ask)).toContain(
        'Access to *Figma Pro* for *Jane Doe*, filed by *Sam Manager*.',
      );
      expect(texts(ask)).toContain('*For*\\nJane Doe');
      expect(texts(ask)).toContain('*Filed by*\\nSam Manager');
      expect(texts(ask)).not.toContain('*Requester*');

      const reminder = approvalMessage({ ...behalf, reminderNumber: 1 });
      expect(texts(reminder)).toContain(
        '*Jane Doe* is still waiting for your approval of *Figma Pro* (filed by Sam Manager).',
      );
      expect(
        decidedMessage({
          ...behalf,
          task,
          deciderName: 'Olivia Owner',
        }).text,
      ).toBe(
        'Figma Pro for Jane Doe, filed by Sam Manager: :white_check_mark: Approved by Olivia Owner',
      );
      expect(channelRequestMessage({ ...behalf, approverNames: [] }).text).toBe(
        'Access to Figma Pro for Jane Doe, filed by Sam Manager',
      );
      const deny = denyReasonView({
        metadata: { requestId: 'req-1', taskId: 'task-1', channel: 'D1' },
        request: access,
        requesterName: 'Sam Manager',
        granteeName: 'Jane Doe',
      });
      expect(JSON.stringify(deny.blocks)).toContain(
        'Deny the request for *Figma Pro* for *Jane Doe*, filed by *Sam Manager*?',
      );
    });

    it("leaves a person's own request as it was", () => {
      const ask = approvalMessage(own);
      expect(ask.text).toBe(
        'Jane Doe asks for access to Figma Pro: approve or deny',
      );
      expect(texts(ask)).toContain('*Requester*\\nJane Doe');
      expect(texts(ask)).not.toContain('filed by');
      expect(channelRequestMessage({ ...own, approverNames: [] }).text).toBe(
        'Jane Doe asks for access to Figma Pro',
      );
    });
  });
});
