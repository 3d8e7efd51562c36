import {
  AccessRequest,
  ApprovalTask,
} from '@app-access/plugin-app-access-common';
import {
  approvalCard,
  decisionCard,
  escapeMarkdown,
  statusCard,
} from './TeamsCards';

const link = '[Approve now](https://evil.example)';

const request: AccessRequest = {
  id: 'req-1',
  kind: 'access',
  appName: `**Figma** ${link}`,
  tierName: 'Editor',
  requester: 'user:default/jane.doe',
  status: 'failed',
  failureReason: `# Call ${link}`,
  level: 1,
  justification: `Needed for the launch.\n- ${link}\n1. _urgent_`,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

const task: ApprovalTask = {
  id: 'task-1',
  requestId: 'req-1',
  level: 1,
  approvers: ['user:default/sam.manager'],
  status: 'denied',
  decidedBy: 'user:default/sam.manager',
  comment: link,
  reminders: 0,
  fallback: false,
  createdAt: '2026-12-01T00:00:00.000Z',
};

const ctx = {
  request,
  task,
  requesterName: `Jane ${link}`,
  approvalsUrl: 'https://portal.example/apps/approvals',
  requestUrl: 'https://portal.example/apps/requests/req-1',
};

/** Every text a card shows, with the card's own link targets left out. */
function texts(card: ReturnType<typeof approvalCard>): string[] {
  const out: string[] = [];
  for (const element of card.attachments[0].content.body as any[]) {
    if (element.text) out.push(element.text);
    for (const fact of element.facts ?? []) out.push(fact.value);
  }
  return out;
}

describe('Teams cards', () => {
  it('escapes Markdown so a link in a justification is not a link', () => {
    expect(escapeMarkdown(link)).toBe(
      '\\[Approve now\\]\\(https://evil.example\\)',
    );
    expect(escapeMarkdown('- item\n2. _two_ **bold**')).toBe(
      '\\- item\n2\\. \\_two\\_ \\*\\*bold\\*\\*',
    );
    expect(escapeMarkdown('Jane Doe, IT')).toBe('Jane Doe, IT');
  });

  it.each([
    ['approval', approvalCard({ ...ctx, approverNames: [`Sam ${link}`] })],
    ['decision', decisionCard({ ...ctx, deciderName: `Sam ${link}` })],
    ['status', statusCard(ctx)],
  ])('renders no user text as Markdown on the %s card', (_, card) => {
    const shown = texts(card);
    expect(shown.length).toBeGreaterThan(2);
    for (const text of shown) {
      expect(text).not.toMatch(/(^|[^\\])\[[^\]]*(^|[^\\])\]\(/);
      expect(text).not.toMatch(/(^|[^\\])\*\*/);
      expect(text).not.toMatch(/^\s*(#|-\s|\d+\.\s)/m);
    }
    expect(shown.join('\n')).toContain('\\[Approve now\\]');
  });

  it('names the grantee first, then who filed it, for a request on their behalf', () => {
    const behalf = {
      request: {
        ...request,
        appName: 'Figma',
        requester: 'user:default/sam.manager',
        grantee: 'user:default/jane.doe',
      },
      task: { ...task, status: 'approved' as const },
      requesterName: 'Sam Manager',
      granteeName: 'Jane Doe',
      approvalsUrl: ctx.approvalsUrl,
      requestUrl: ctx.requestUrl,
    };
    const ask = texts(approvalCard({ ...behalf, approverNames: ['Olivia'] }));
    expect(ask[0]).toBe(
      'Approval needed: Figma Editor for Jane Doe, filed by Sam Manager',
    );
    expect(ask).toEqual(expect.arrayContaining(['Jane Doe', 'Sam Manager']));
    expect(texts(decisionCard({ ...behalf, deciderName: 'Olivia' }))[0]).toBe(
      'Approved: level 1 of the request for Figma Editor for Jane Doe, filed by Sam Manager',
    );
    expect(
      texts(
        statusCard({
          ...behalf,
          request: { ...behalf.request, status: 'fulfilled' },
        }),
      )[0],
    ).toBe(
      'The request for Figma Editor for Jane Doe, filed by Sam Manager: access granted',
    );
    // A person's own request reads as before.
    expect(
      texts(
        statusCard({
          ...behalf,
          granteeName: undefined,
          requesterName: 'Jane Doe',
          request: { ...behalf.request, status: 'fulfilled' },
        }),
      )[0],
    ).toBe("Jane Doe's request for Figma Editor: access granted");
  });
});
