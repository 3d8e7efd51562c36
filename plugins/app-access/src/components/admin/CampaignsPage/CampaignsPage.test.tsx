import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/test-utils';
import { AppUsage } from '@app-access/plugin-app-access-common';
import {
  createFakeApi,
  FakeAppAccessApi,
  renderInPlugin,
  responseError,
  SLACK_SEAT_EUR,
  slackMatches,
} from '../../../__testUtils__';
import { AppAccessAdminRouter } from '../AdminPage';
import { CAMPAIGN_POLL_MS } from './CampaignPage';

// Whole admin pages with polling on a busy machine: give them time.
jest.setTimeout(90_000);

const render = (route: string, api: FakeAppAccessApi = createFakeApi()) =>
  renderInPlugin(<AppAccessAdminRouter basePath="/apps/admin" />, {
    api,
    path: '/apps/admin/*',
    route,
    permissionApi: mockApis.permission(),
  });

const slackUsage: AppUsage = {
  appId: 'slack',
  appName: 'Slack',
  listed: true,
  signIns: { known: true },
  holders: 2,
  active30: 0,
  active90: 0,
  neverSignedIn: 1,
  unusedSeats: 2,
  currency: 'EUR',
  unusedSeatCostMonthly: 2 * SLACK_SEAT_EUR,
  tiers: [
    {
      tierId: 'standard',
      tierName: 'Standard',
      holders: 2,
      seatsUsed: 2,
      active30: 0,
      active90: 0,
      neverSignedIn: 1,
      seatsPurchased: 2,
      seatsFree: 0,
      idleHolders: 2,
      unusedSeats: 2,
      costPerSeatMonthly: SLACK_SEAT_EUR,
      currency: 'EUR',
      unusedSeatCostMonthly: 2 * SLACK_SEAT_EUR,
    },
  ],
};

/** Starts a Slack campaign through the fakes, as the New campaign page would. */
async function startSlackCampaign(api: FakeAppAccessApi) {
  const campaign = await api.startCampaign({
    appId: 'slack',
    tierId: 'standard',
    inactiveDays: 60,
    answerDays: 14,
    grantIds: slackMatches.map(m => m.grantId),
  });
  api.startCampaign.mockClear();
  return campaign;
}

describe('Campaigns', () => {
  it('opens New campaign from Usage, previews exactly who matches and starts with the holders seen', async () => {
    const api = createFakeApi();
    api.getUsageInsight.mockResolvedValue({
      generatedAt: '2026-12-06T12:00:00.000Z',
      signInsTracked: true,
      items: [slackUsage],
    });
    await render('/apps/admin/usage', api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Details of Slack' }),
    );
    const detail = await screen.findByRole('region', {
      name: 'Usage of Slack',
    });
    await userEvent.click(
      within(detail).getByRole('button', { name: 'Reclaim Slack Standard' }),
    );

    // Prefilled with the app and tier, and the usual rule.
    expect(
      await screen.findByRole('heading', { name: 'New campaign' }),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('No sign-in for (days)')).toHaveValue('60');
    expect(screen.getByLabelText('Days to answer')).toHaveValue('14');
    const total = await screen.findByTestId('campaign-total');
    expect(total).toHaveTextContent(
      `2 holders match: up to €${(2 * SLACK_SEAT_EUR).toFixed(
        2,
      )} a month to save`,
    );
    expect(api.previewCampaign).toHaveBeenLastCalledWith({
      appId: 'slack',
      tierId: 'standard',
      inactiveDays: 60,
      limit: 1000,
    });
    const leo = screen.getByText('Leo Park').closest('tr')!;
    expect(within(leo).getByText('Never')).toBeInTheDocument();
    expect(screen.getByText('Jane Doe')).toBeInTheDocument();

    await userEvent.type(
      screen.getByLabelText('Message to holders (optional)'),
      'Licences renew in January',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Start campaign' }),
    );
    await waitFor(() =>
      expect(api.startCampaign).toHaveBeenCalledWith({
        appId: 'slack',
        tierId: 'standard',
        inactiveDays: 60,
        answerDays: 14,
        message: 'Licences renew in January',
        grantIds: ['g-slack-leo', 'g-slack'],
      }),
    );
    // The campaign's page, with its questions.
    expect(
      await screen.findByRole('heading', {
        name: 'Campaign: Slack — Standard',
      }),
    ).toBeInTheDocument();
    const questions = await screen.findByRole('table', { name: 'Questions' });
    expect(
      await within(questions).findAllByText('Waiting for an answer'),
    ).toHaveLength(2);
    expect(
      screen.getByText('Message to holders: Licences renew in January'),
    ).toBeInTheDocument();
  });

  it('previews again when the rule changes, and says when nobody matches or sign-ins are unknown', async () => {
    const api = createFakeApi();
    await render('/apps/admin/campaigns/new?appId=slack', api);
    await screen.findByTestId('campaign-total');

    api.previewCampaign.mockImplementationOnce(async query => ({
      appId: query.appId,
      tierId: query.tierId,
      inactiveDays: query.inactiveDays,
      signInsTracked: true,
      total: 0,
      items: [],
      alreadyAsked: 1,
    }));
    const days = screen.getByLabelText('No sign-in for (days)');
    await userEvent.clear(days);
    await userEvent.type(days, '365');
    expect(await screen.findByText('Nobody matches')).toBeInTheDocument();
    expect(
      screen.getByText(/already asked by another running campaign \(1\)/),
    ).toBeInTheDocument();
    expect(api.previewCampaign).toHaveBeenLastCalledWith(
      expect.objectContaining({ appId: 'slack', inactiveDays: 365 }),
    );
    expect(
      screen.getByRole('button', { name: 'Start campaign' }),
    ).toBeDisabled();

    // A rule the backend would refuse is not sent.
    const calls = api.previewCampaign.mock.calls.length;
    await userEvent.clear(days);
    await userEvent.type(days, '0');
    expect(
      screen.getByText('A whole number of days from 1 to 730'),
    ).toBeInTheDocument();
    await act(async () => {
      await new Promise(r => setTimeout(r, 600));
    });
    expect(api.previewCampaign).toHaveBeenCalledTimes(calls);

    // Figma's sign-ins are not known in the fakes.
    await userEvent.clear(days);
    await userEvent.type(days, '60');
    await userEvent.click(screen.getByRole('button', { name: /^App/ }));
    await userEvent.click(await screen.findByRole('option', { name: 'Figma' }));
    expect(
      await screen.findByText(/Sign-ins to Figma are not known/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Start campaign' }),
    ).toBeDisabled();
  });

  it('shows why a start was refused', async () => {
    const api = createFakeApi();
    api.startCampaign.mockRejectedValueOnce(
      responseError(409, 'ConflictError', 'Nobody matches the rule any more'),
    );
    await render('/apps/admin/campaigns/new?appId=slack', api);
    await screen.findByTestId('campaign-total');
    await userEvent.click(
      screen.getByRole('button', { name: 'Start campaign' }),
    );
    expect(
      await screen.findByText('Nobody matches the rule any more'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'New campaign' }),
    ).toBeInTheDocument();
  });

  it('lists campaigns with their status and progress, and has an empty state', async () => {
    const api = createFakeApi();
    await render('/apps/admin/campaigns', api);
    expect(await screen.findByText('No campaign yet')).toBeInTheDocument();

    const campaign = await startSlackCampaign(api);
    await api.answerReclaimQuestion(`${campaign.id}-q2`, {
      answer: 'keep',
      reason: 'I present in the all-hands',
    });
    await render('/apps/admin/campaigns', api);
    const link = await screen.findByRole('link', {
      name: 'Slack — Standard',
    });
    const row = link.closest('tr')!;
    expect(within(row).getByText('Running')).toBeInTheDocument();
    expect(
      within(row).getByText('1 of 2 answered or closed'),
    ).toBeInTheDocument();
    expect(
      within(row).getByRole('progressbar', {
        name: 'Progress of the Slack — Standard campaign',
      }),
    ).toHaveAttribute('aria-valuenow', '50');
  });

  it('shows counts, keep reasons and a status filter with paging', async () => {
    const api = createFakeApi();
    const campaign = await startSlackCampaign(api);
    await api.answerReclaimQuestion(`${campaign.id}-q2`, {
      answer: 'keep',
      reason: 'I present in the all-hands',
    });
    await render(`/apps/admin/campaigns/${campaign.id}`, api);
    const counts = await screen.findByRole('list', { name: 'Counts' });
    expect(
      within(counts).getByRole('listitem', { name: 'Kept' }),
    ).toHaveTextContent('1');
    expect(
      within(counts).getByRole('listitem', { name: 'Waiting' }),
    ).toHaveTextContent('1');
    expect(
      await screen.findByText('I present in the all-hands'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('campaign-saving')).toHaveTextContent(
      'Saved so far: €0.00 a month',
    );

    await userEvent.click(screen.getByRole('button', { name: /^Status/ }));
    await userEvent.click(await screen.findByRole('option', { name: 'Kept' }));
    await waitFor(() =>
      expect(api.listCampaignQuestions).toHaveBeenLastCalledWith(campaign.id, {
        status: 'kept',
        limit: 25,
        offset: 0,
      }),
    );
    const table = screen.getByRole('table', { name: 'Questions' });
    await waitFor(() =>
      expect(within(table).queryByText('Leo Park')).not.toBeInTheDocument(),
    );
    expect(within(table).getByText('Jane Doe')).toBeInTheDocument();
    expect(screen.getByText(/^1\W1 of 1$/)).toBeInTheDocument();
  });

  it('refreshes while running, ends now after a confirmation and stops refreshing once cancelled', async () => {
    const api = createFakeApi();
    const campaign = await startSlackCampaign(api);
    await render(`/apps/admin/campaigns/${campaign.id}`, api);
    await screen.findByRole('heading', { name: 'Campaign: Slack — Standard' });
    expect(
      screen.getByText(`Refreshes every ${CAMPAIGN_POLL_MS / 1000} seconds`),
    ).toBeInTheDocument();

    // A holder answers elsewhere (Slack, email): the page follows.
    await api.answerReclaimQuestion(`${campaign.id}-q2`, {
      answer: 'keep',
      reason: 'Daily stand-ups',
    });
    expect(
      await screen.findByText('Daily stand-ups', undefined, {
        timeout: CAMPAIGN_POLL_MS * 3,
      }),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'End now' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'End the campaign now?',
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'End now' }),
    );
    await waitFor(() =>
      expect(api.endCampaign).toHaveBeenCalledWith(campaign.id),
    );
    expect(
      await screen.findByText('Closing: removals under way'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('No answer: being removed'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'End now' }),
    ).not.toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Cancel campaign' }),
    );
    const cancel = await screen.findByRole('dialog', {
      name: 'Cancel the campaign?',
    });
    await userEvent.click(
      within(cancel).getByRole('button', { name: 'Cancel campaign' }),
    );
    await waitFor(() =>
      expect(api.cancelCampaign).toHaveBeenCalledWith(campaign.id),
    );
    expect(
      await screen.findByText('Cancelled', { selector: '.MuiChip-label' }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Refreshes every/)).not.toBeInTheDocument();
    const reads = api.getCampaign.mock.calls.length;
    await act(async () => {
      await new Promise(r => setTimeout(r, CAMPAIGN_POLL_MS * 1.5));
    });
    expect(api.getCampaign).toHaveBeenCalledTimes(reads);
  });

  it('says in words why End now was refused', async () => {
    const api = createFakeApi();
    const campaign = await startSlackCampaign(api);
    api.endCampaign.mockRejectedValueOnce(
      responseError(409, 'ConflictError', 'The campaign already ended'),
    );
    await render(`/apps/admin/campaigns/${campaign.id}`, api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'End now' }),
    );
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'End now',
      }),
    );
    expect(
      await screen.findByText('The campaign already ended'),
    ).toBeInTheDocument();
  });
});
