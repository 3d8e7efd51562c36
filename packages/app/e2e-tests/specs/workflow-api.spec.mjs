// The seed's test plan, scripted through the HTTP API of the running portal.
import { apiAs, expectStatus, waitForStatus } from '../api.mjs';

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

test('API: deny at level 1, the requester sees the comment', async () => {
  const jane = await apiAs('jane.doe');
  const sam = await apiAs('sam.manager');
  const r = expectStatus(
    await jane.post('/requests', {
      appId: 'jira-software',
      tierId: 'user',
      justification: 'sprint boards',
    }),
    201,
    'submit',
  );
  assert(
    r.status === 'pending_approval' && r.level === 1,
    `expected level 1, got ${r.status}/${r.level}`,
  );
  const inbox = expectStatus(await sam.get('/approvals'), 200, 'inbox');
  assert(
    inbox.items.some(t => t.requestId === r.id),
    'Sam does not see the request in his inbox',
  );
  expectStatus(
    await jane.post(`/requests/${r.id}/decisions`, { decision: 'approve' }),
    403,
    'self-approval',
  );
  expectStatus(
    await sam.post(`/requests/${r.id}/decisions`, { decision: 'deny' }),
    400,
    'deny without comment',
  );
  expectStatus(
    await sam.post(`/requests/${r.id}/decisions`, {
      decision: 'deny',
      comment: 'use Linear',
    }),
    200,
    'deny',
  );
  const seen = expectStatus(
    await jane.get(`/requests/${r.id}`),
    200,
    'requester view',
  );
  assert(seen.status === 'denied', `expected denied, got ${seen.status}`);
  assert(
    seen.events.some(e => e.type === 'denied' && e.comment === 'use Linear'),
    'denial comment missing from timeline',
  );
  expectStatus(
    await sam.post(`/requests/${r.id}/decisions`, { decision: 'approve' }),
    409,
    'decision after the request moved on',
  );
});

test('API: approve at level 1, then deny at level 2', async () => {
  const jane = await apiAs('jane.doe');
  const sam = await apiAs('sam.manager');
  const olivia = await apiAs('olivia.owner');
  const r = expectStatus(
    await jane.post('/requests', {
      appId: 'notion',
      tierId: 'notion-ai',
      justification: 'summaries',
    }),
    201,
    'submit',
  );
  const l2 = expectStatus(
    await sam.post(`/requests/${r.id}/decisions`, {
      decision: 'approve',
      comment: 'fine by me',
    }),
    200,
    'approve level 1',
  );
  assert(
    l2.status === 'pending_approval' && l2.level === 2,
    `expected level 2, got ${l2.status}/${l2.level}`,
  );
  expectStatus(
    await olivia.post(`/requests/${r.id}/decisions`, {
      decision: 'deny',
      comment: 'AI seats are full',
    }),
    200,
    'deny level 2',
  );
  const done = expectStatus(
    await jane.get(`/requests/${r.id}`),
    200,
    'requester view',
  );
  assert(done.status === 'denied', `expected denied, got ${done.status}`);
  assert(
    done.approvals.map(t => t.status).join() === 'approved,denied',
    'approval tasks do not show both levels',
  );
});

test('API: approve end to end through IT (manual), an admin marks it fulfilled', async () => {
  const jane = await apiAs('jane.doe');
  const sam = await apiAs('sam.manager');
  const olivia = await apiAs('olivia.owner');
  const ivan = await apiAs('ivan.admin');
  const r = expectStatus(
    await jane.post('/requests', {
      appId: 'docusign',
      tierId: 'sender',
      justification: 'contracts',
    }),
    201,
    'submit',
  );
  expectStatus(
    await jane.post('/requests', {
      appId: 'docusign',
      tierId: 'sender',
      justification: 'again',
    }),
    409,
    'duplicate',
  );
  expectStatus(
    await sam.post(`/requests/${r.id}/decisions`, { decision: 'approve' }),
    200,
    'level 1',
  );
  expectStatus(
    await olivia.post(`/requests/${r.id}/decisions`, { decision: 'approve' }),
    200,
    'level 2',
  );
  await waitForStatus(jane, r.id, ['awaiting_it']);
  expectStatus(
    await jane.post(`/admin/requests/${r.id}/mark-fulfilled`, { note: 'x' }),
    403,
    'non-admin mark-fulfilled',
  );
  expectStatus(
    await ivan.post(`/admin/requests/${r.id}/mark-fulfilled`, {
      note: 'envelope sent',
    }),
    200,
    'mark fulfilled',
  );
  const done = await waitForStatus(jane, r.id, ['fulfilled']);
  assert(
    done.events.some(
      e => e.type === 'marked_fulfilled' && e.comment === 'envelope sent',
    ),
    'note missing',
  );
});

test('API: a tier without approval is granted at once', async () => {
  const jane = await apiAs('jane.doe');
  const r = expectStatus(
    await jane.post('/requests', { appId: 'miro', tierId: 'viewer' }),
    201,
    'submit',
  );
  const done = await waitForStatus(jane, r.id, ['awaiting_it', 'fulfilled']);
  assert(
    done.events.some(e => e.type === 'approved'),
    'no approval event',
  );
});

test('API: admin routes refuse non-admins, bad input gets 400 naming the field', async () => {
  const jane = await apiAs('jane.doe');
  const ivan = await apiAs('ivan.admin');
  expectStatus(await jane.get('/settings'), 403, 'jane settings');
  expectStatus(await jane.get('/admin/audit'), 403, 'jane audit');
  expectStatus(await ivan.get('/settings'), 200, 'ivan settings');
  const bad = expectStatus(
    await jane.post('/requests', { appId: 42, tierId: 'x' }),
    400,
    'wrong type',
  );
  assert(
    /appId/.test(bad.error.message),
    `message does not name appId: ${bad.error.message}`,
  );
  expectStatus(await jane.get('/apps/not-an-app'), 404, 'unknown app');
});
