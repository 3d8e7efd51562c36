// The seed's five test-plan steps in the example portal with the vendor
// sandbox (appAccess.sandbox.enabled), as the admin would walk them: the
// personas act (jane.doe requests, sam.manager and olivia.owner decide), the
// admin (ivan.admin) sends a reminder from "Test your configuration", approves
// through Sam's Slack DM and Sam's email in the Sandbox page, resolves the
// help-desk ticket there, and the checklist ends at 5 of 5.
// Screenshots: output/sandbox-*.png; sandbox-mailbox.png and
// sandbox-slack.png are copied to docs/screenshots.
import { apiAs, expectStatus, waitForStatus } from '../api.mjs';
import { signInAs } from '../signIn.mjs';
import {
  assert,
  SCREENSHOT_VIEWPORT,
  settleOpenRequests,
  settled,
  shot,
} from '../ui.mjs';

const APPS = ['jira-software', 'notion', 'asana', 'figma', 'salesforce'];

async function submit(jane, appId, tierId, justification) {
  return expectStatus(
    await jane.post('/requests', { appId, tierId, justification }),
    201,
    `request ${appId} › ${tierId}`,
  );
}

/**
 * The first of a step's apps (the suggestion, then the checklist's
 * alternatives on the same path) Jane may request: another spec may already
 * have given her one (409 "You already have …").
 */
async function submitFirstFree(jane, candidates, justification) {
  for (const c of candidates) {
    const res = await jane.post('/requests', {
      appId: c.appId,
      tierId: c.tierId,
      justification,
    });
    if (res.status === 201) return { request: res.body, ...c };
    if (res.status !== 409) expectStatus(res, 201, `request ${c.appId}`);
  }
  throw new Error(
    `Jane already has every app of the step: ${candidates
      .map(c => c.appId)
      .join(', ')}`,
  );
}

/** The sandbox page, reloaded until `locator` shows (the page polls too). */
async function sandboxUntil(page, APP_URL, locator, timeoutMs = 60_000) {
  const started = Date.now();
  for (;;) {
    try {
      await locator.first().waitFor({ timeout: 8_000 });
      return;
    } catch (e) {
      if (Date.now() - started > timeoutMs) throw e;
      await page.goto(`${APP_URL}/sandbox`);
    }
  }
}

test('Sandbox: the five test-plan steps end at 5 of 5', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  const jane = await apiAs('jane.doe');
  const sam = await apiAs('sam.manager');
  const olivia = await apiAs('olivia.owner');
  const ivan = await apiAs('ivan.admin');
  await settleOpenRequests('jane.doe', APPS);

  try {
    // (a) deny at level 1
    const a = await submit(jane, 'jira-software', 'user', 'sprint boards');
    expectStatus(
      await sam.post(`/requests/${a.id}/decisions`, {
        decision: 'deny',
        comment: 'we use Linear',
      }),
      200,
      'deny at level 1',
    );

    // (b) approve at level 1, deny at level 2
    const b = await submit(jane, 'notion', 'notion-ai', 'meeting summaries');
    expectStatus(
      await sam.post(`/requests/${b.id}/decisions`, {
        decision: 'approve',
        comment: 'fine by me',
      }),
      200,
      'approve level 1',
    );
    expectStatus(
      await olivia.post(`/requests/${b.id}/decisions`, {
        decision: 'deny',
        comment: 'no AI seats this quarter',
      }),
      200,
      'deny level 2',
    );

    // (c) ignore: the admin sends the reminder now, from the checklist
    const c = await submitFirstFree(
      jane,
      [
        { appId: 'asana', tierId: 'member', label: 'Asana › Member' },
        { appId: 'miro', tierId: 'member', label: 'Miro › Member' },
        { appId: 'loom', tierId: 'business', label: 'Loom › Business' },
      ],
      'launch plan',
    );
    await signInAs(page, APP_URL, 'ivan.admin');
    await page.goto(`${APP_URL}/apps/admin/checklist`);
    const remind = page.getByRole('button', {
      name: `Send reminders now for ${c.label}`,
    });
    await remind.first().click();
    await page.getByText(`Reminded the approvers of ${c.label}.`).waitFor();

    // (d) through Okta, approved with Sam's Slack button in the sandbox
    expectStatus(
      await ivan.put('/settings', { approvalMethod: 'slack' }),
      200,
      'approvals by Slack',
    );
    const { request: d, name: dName } = await submitFirstFree(
      jane,
      [
        { appId: 'figma', tierId: 'dev', name: 'Figma' },
        { appId: 'figma', tierId: 'full', name: 'Figma' },
        { appId: 'datadog', tierId: 'standard', name: 'Datadog' },
      ],
      'prototype handoff',
    );
    await page.goto(`${APP_URL}/sandbox`);
    await page.getByRole('heading', { name: 'Sandbox' }).first().waitFor();
    const dm = page
      .getByTestId('sandbox-slack-message')
      .filter({ hasText: 'sam.manager@' })
      .filter({ hasText: dName })
      .filter({ has: page.getByRole('button', { name: 'Approve' }) });
    await sandboxUntil(page, APP_URL, dm);
    await dm.first().scrollIntoViewIfNeeded();
    await shot(page, outputDir, 'sandbox-slack');
    await dm.first().getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Sandbox: Approve clicked in Slack').waitFor();
    const fulfilledD = await waitForStatus(jane, d.id, ['fulfilled'], 60_000);
    assert(
      fulfilledD.fulfilledBy === 'okta-group',
      `${dName} was fulfilled by ${fulfilledD.fulfilledBy}`,
    );
    const group = page
      .getByTestId('sandbox-okta-group')
      .filter({ hasText: `${dName} ${d.tierName}` })
      .filter({ hasText: 'jane.doe@' });
    await sandboxUntil(page, APP_URL, group);

    // (e) through a ticket, approved with the link in Sam's email
    expectStatus(
      await ivan.put('/settings', { approvalMethod: 'email' }),
      200,
      'approvals by email',
    );
    const e = await submit(jane, 'salesforce', 'read-only', 'pipeline review');
    await page.goto(`${APP_URL}/sandbox`);
    const mail = page.locator(
      'iframe[title^="Sandbox email: Approval needed: Salesforce"]',
    );
    await sandboxUntil(page, APP_URL, mail);
    await mail.first().scrollIntoViewIfNeeded();
    await shot(page, outputDir, 'sandbox-mailbox');
    const [actionPage] = await Promise.all([
      page.context().waitForEvent('page'),
      page
        .frameLocator(
          'iframe[title^="Sandbox email: Approval needed: Salesforce"]',
        )
        .first()
        .getByRole('link', { name: /Approve/ })
        .first()
        .click(),
    ]);
    await actionPage.getByRole('button', { name: 'Approve request' }).click();
    await actionPage
      .getByText(/approved/i)
      .first()
      .waitFor();
    await actionPage.close();
    await waitForStatus(jane, e.id, ['awaiting_it'], 60_000);
    const ticket = page
      .getByTestId('sandbox-ticket')
      .filter({ hasText: 'Salesforce Read Only for Jane Doe' })
      .filter({ has: page.getByRole('button', { name: 'Resolve' }) });
    await sandboxUntil(page, APP_URL, ticket);
    await ticket.first().getByRole('button', { name: 'Resolve' }).click();
    await page.getByText(/Sandbox: .* resolved/).waitFor();
    await waitForStatus(jane, e.id, ['fulfilled'], 90_000);

    // The checklist sees all five.
    await page.goto(`${APP_URL}/apps/admin/checklist`);
    await page.getByText('5 of 5 seen to work').waitFor();
    await settled(page);
    await shot(page, outputDir, 'sandbox-checklist');
  } finally {
    await ivan.put('/settings', { approvalMethod: null });
  }
});

// The Teams bot in the sandbox: with approvals in Microsoft Teams, Sam's
// 1:1 chat with the App Access bot shows Mia's requests; Deny with a reason
// and Approve are clicked there, each sent to the bot's messaging endpoint
// as a signed Action.Execute invoke, and the card shows the outcome.
// Screenshot: output/sandbox-teams-bot.png.
test('Sandbox: approve and deny in the Teams chat with the App Access bot', async ({
  page,
  APP_URL,
  outputDir,
}) => {
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  const mia = await apiAs('mia.johnson');
  const ivan = await apiAs('ivan.admin');
  await settleOpenRequests('mia.johnson', ['docusign', 'miro']);
  try {
    expectStatus(
      await ivan.put('/settings', { approvalMethod: 'msteams' }),
      200,
      'approvals in Teams',
    );
    const denied = await submit(mia, 'docusign', 'sender', 'vendor NDAs');
    const approved = await submit(mia, 'miro', 'member', 'design sprint');

    await signInAs(page, APP_URL, 'ivan.admin');
    await page.goto(`${APP_URL}/sandbox`);
    await page.getByRole('heading', { name: 'Sandbox' }).first().waitFor();
    const chat = name =>
      page
        .getByTestId('sandbox-teams-chat')
        .filter({ hasText: 'sam.manager@' })
        .filter({ hasText: name })
        .filter({ has: page.getByRole('button', { name: 'Approve' }) });

    // Deny DocuSign with a reason, in the card.
    await sandboxUntil(page, APP_URL, chat('DocuSign'));
    const docusign = chat('DocuSign').first();
    await docusign.scrollIntoViewIfNeeded();
    await shot(page, outputDir, 'sandbox-teams-bot');
    await docusign
      .getByLabel(/Reason/)
      .fill('Sender seats are for the legal team');
    await docusign.getByRole('button', { name: 'Deny', exact: true }).click();
    await page.getByText('Sandbox: Deny clicked in Teams').waitFor();
    const d = await waitForStatus(mia, denied.id, ['denied'], 30_000);
    assert(
      d.approvals[0].decidedBy === 'user:default/sam.manager',
      `DocuSign was decided by ${d.approvals[0].decidedBy}`,
    );
    await sandboxUntil(
      page,
      APP_URL,
      page
        .getByTestId('sandbox-teams-chat')
        .filter({ hasText: 'sam.manager@' })
        .filter({ hasText: 'Denied by Sam Manager' }),
    );

    // Approve Miro.
    await sandboxUntil(page, APP_URL, chat('Miro'));
    await chat('Miro').first().getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Sandbox: Approve clicked in Teams').waitFor();
    await waitForStatus(
      mia,
      approved.id,
      ['approved', 'awaiting_it', 'fulfilled'],
      30_000,
    );
  } finally {
    await ivan.put('/settings', { approvalMethod: null });
  }
});
