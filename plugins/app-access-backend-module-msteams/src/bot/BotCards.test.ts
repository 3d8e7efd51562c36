import {
  AccessRequest,
  ApprovalTask,
} from '@app-access/plugin-app-access-common';
import {
  APPROVE_VERB,
  DENY_VERB,
  REASON_INPUT,
  approvalCard,
  decidedCard,
  requesterCard,
} from './BotCards';

const request: AccessRequest = {
  id: 'req-1',
  kind: 'access',
  appName: 'Notion',
  tierName: 'Editor',
  requester: 'user:default/jane',
  status: 'pending_approval',
  level: 1,
  justification: '[Approve now](https://evil.example) please',
  neededBy: '2026-12-24T00:00:00Z',
  createdAt: '2026-12-06T10:00:00Z',
  updatedAt: '2026-12-06T10:00:00Z',
};
const task: ApprovalTask = {
  id: 'task-1',
  requestId: 'req-1',
  level: 1,
  approvers: ['user:default/sam'],
  status: 'open',
  reminders: 0,
  fallback: false,
  createdAt: '2026-12-06T10:00:00Z',
};

const facts = (card: any) =>
  Object.fromEntries(
    card.body
      .find((b: any) => b.type === 'FactSet')
      .facts.map((f: any) => [f.title, f.value]),
  );

const find = (node: any, pred: (n: any) => boolean): any => {
  if (!node || typeof node !== 'object') return undefined;
  if (pred(node)) return node;
  for (const v of Object.values(node)) {
    const found = find(v, pred);
    if (found) return found;
  }
  return undefined;
};

describe('Teams bot cards', () => {
  const input = {
    request,
    task,
    requesterName: 'Jane Doe',
    requestUrl: 'https://portal.acme.example/apps/requests/req-1',
  };

  it('shows who, app, tier, level, needed-by and, for time-bound access, how long', () => {
    expect(facts(approvalCard(input))).toEqual({
      Requester: 'Jane Doe',
      App: 'Notion',
      Tier: 'Editor',
      Level: '1',
      'Needed by': '2026-12-24',
    });
    const timeBound = approvalCard({
      ...input,
      request: { ...request, durationDays: 30 } as AccessRequest,
    });
    expect(facts(timeBound)['Access for']).toBe('30 days once granted');
  });

  it('names the grantee first, then who filed it, for a request on their behalf', () => {
    const behalf = {
      ...input,
      request: {
        ...request,
        requester: 'user:default/sam',
        grantee: 'user:default/jane',
      },
      requesterName: 'Sam Manager',
      granteeName: 'Jane Doe',
    };
    const ask = approvalCard(behalf);
    expect(facts(ask)).toMatchObject({
      For: 'Jane Doe',
      'Filed by': 'Sam Manager',
    });
    expect(facts(ask)).not.toHaveProperty('Requester');
    expect(ask.body[0]).toMatchObject({
      text: 'Approval needed: Notion Editor for Jane Doe, filed by Sam Manager',
    });
    expect(
      approvalCard({ ...behalf, reminderNumber: 2 }).body[0],
    ).toMatchObject({
      text: 'Reminder 2: the request for Notion Editor for Jane Doe, filed by Sam Manager still waits for you',
    });
    expect(
      decidedCard({
        ...behalf,
        task: { ...task, status: 'approved', decidedBy: 'user:default/olivia' },
        deciderName: 'Olivia Owner',
      }).body[0],
    ).toMatchObject({
      text: 'Approved by Olivia Owner: the request for Notion Editor for Jane Doe, filed by Sam Manager',
    });
    // A person's own request reads as before.
    expect(approvalCard(input).body[0]).toMatchObject({
      text: 'Approval needed: Jane Doe asks for Notion Editor',
    });
  });

  it('escapes the justification so it cannot carry a working link', () => {
    const text = JSON.stringify(approvalCard(input));
    expect(text).toContain(
      '\\\\[Approve now\\\\]\\\\(https://evil.example\\\\)',
    );
  });

  it('Approve is an Action.Execute; Deny asks for a required reason inside the card', () => {
    const card = approvalCard(input);
    expect(card.version).toBe('1.5');
    const approve = find(card, n => n.verb === APPROVE_VERB);
    expect(approve).toMatchObject({
      type: 'Action.Execute',
      data: { requestId: 'req-1', taskId: 'task-1' },
    });
    const showCard = find(card, n => n.type === 'Action.ShowCard');
    expect(find(showCard, n => n.id === REASON_INPUT)).toMatchObject({
      type: 'Input.Text',
      isRequired: true,
    });
    expect(find(showCard, n => n.verb === DENY_VERB)).toMatchObject({
      type: 'Action.Execute',
      associatedInputs: 'auto',
      data: { requestId: 'req-1', taskId: 'task-1' },
    });
  });

  it('a decided copy has no buttons and says who decided and why', () => {
    const card = decidedCard({
      ...input,
      task: {
        ...task,
        status: 'denied',
        decidedBy: 'user:default/sam',
        comment: 'Use the team space',
      },
      deciderName: 'Sam Manager',
    });
    expect(find(card, n => n.type === 'Action.Execute')).toBeUndefined();
    expect(JSON.stringify(card)).toContain('Denied by Sam Manager');
    expect(facts(card).Reason).toBe('Use the team space');
  });

  it('tells the requester a level-1 approval waits for level 2', () => {
    const card = requesterCard({
      request: { ...request, level: 2 },
      kind: 'decision_recorded',
      task: { ...task, status: 'approved', decidedBy: 'user:default/sam' },
      deciderName: 'Sam Manager',
      requestUrl: input.requestUrl,
    });
    expect(JSON.stringify(card)).toContain(
      'Sam Manager approved level 1 of your request for Notion Editor; it now waits for level 2',
    );
  });
});
