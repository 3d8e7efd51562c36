import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/test-utils';
import { AppUsage, UsageInsight } from '@app-access/plugin-app-access-common';
import {
  createFakeApi,
  renderInPlugin,
  responseError,
} from '../../../__testUtils__';
import { UsagePage } from './UsagePage';

jest.setTimeout(60_000);

// Refusal is in UsagePage.denied.test.tsx: permission answers are cached
// per test file.
const render = (api = createFakeApi()) =>
  renderInPlugin(<UsagePage />, {
    api,
    path: '/apps/admin/usage',
    route: '/apps/admin/usage',
    permissionApi: mockApis.permission(),
  });

const chat: AppUsage = {
  appId: 'chat',
  appName: 'Chat',
  listed: true,
  signIns: { known: true },
  holders: 4,
  active30: 1,
  active90: 1,
  neverSignedIn: 0,
  unusedSeats: 3,
  currency: 'EUR',
  unusedSeatCostMonthly: 300,
  tiers: [
    {
      tierId: 'member',
      tierName: 'Member',
      holders: 4,
      seatsUsed: 4,
      active30: 1,
      active90: 1,
      neverSignedIn: 0,
      seatsPurchased: 4,
      seatsFree: 0,
      idleHolders: 3,
      unusedSeats: 3,
      costPerSeatMonthly: 100,
      currency: 'EUR',
      unusedSeatCostMonthly: 300,
    },
  ],
};
const wiki: AppUsage = {
  ...chat,
  appId: 'wiki',
  appName: 'Wiki',
  signIns: {
    known: false,
    reason: 'none-recorded-for-app',
    message: 'No sign-in is recorded for any holder of this app',
  },
  active30: null,
  active90: null,
  neverSignedIn: null,
  unusedSeats: 2,
  unusedSeatCostMonthly: null,
  currency: undefined,
  tiers: [],
};
const insight: UsageInsight = {
  generatedAt: '2030-06-30T12:00:00.000Z',
  signInsTracked: true,
  items: [chat, wiki],
};

describe('UsagePage', () => {
  it('lists apps with what they could save, and "Unknown" where sign-ins are not known', async () => {
    const api = createFakeApi();
    api.getUsageInsight.mockResolvedValue(insight);
    await render(api);
    const chatRow = (await screen.findByText('Chat')).closest('tr')!;
    expect(within(chatRow).getByText('€300.00')).toBeInTheDocument();
    const wikiRow = screen.getByText('Wiki').closest('tr')!;
    expect(within(wikiRow).getAllByText('Unknown')).toHaveLength(3);
    expect(within(wikiRow).queryByText('0')).not.toBeInTheDocument();
    expect(
      screen.queryByText(/Last sign-ins are unknown/),
    ).not.toBeInTheDocument();
  });

  it('shows an app’s tiers and its chart, or that no snapshot exists yet', async () => {
    const api = createFakeApi();
    api.getUsageInsight.mockResolvedValue(insight);
    api.getUsageHistory.mockResolvedValue({
      appId: 'chat',
      points: [
        { day: '2030-06-29', holders: 3, active30: 1 },
        { day: '2030-06-30', holders: 4, active30: 1 },
      ],
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Details of Chat' }),
    );
    const detail = await screen.findByRole('region', { name: 'Usage of Chat' });
    expect(within(detail).getByText('Member')).toBeInTheDocument();
    expect(within(detail).getByText('4 of 4')).toBeInTheDocument();
    expect(within(detail).getByText('€100.00')).toBeInTheDocument();
    expect(
      await within(detail).findByRole('img', {
        name: 'Holders from 2030-06-29 (3) to 2030-06-30 (4)',
      }),
    ).toBeInTheDocument();
    expect(api.getUsageHistory).toHaveBeenCalledWith('chat', 90);

    api.getUsageHistory.mockResolvedValue({ appId: 'wiki', points: [] });
    await userEvent.click(
      screen.getByRole('button', { name: 'Details of Wiki' }),
    );
    expect(
      await screen.findByText('No daily snapshot yet: one is taken each day.'),
    ).toBeInTheDocument();
  });

  it('says when sign-ins are not tracked at all', async () => {
    const api = createFakeApi();
    api.getUsageInsight.mockResolvedValue({
      ...insight,
      signInsTracked: false,
    });
    await render(api);
    expect(
      await screen.findByText(/Last sign-ins are unknown/),
    ).toBeInTheDocument();
  });

  it('has an empty state and an error state', async () => {
    const empty = createFakeApi();
    const { unmount } = await render(empty);
    expect(await screen.findByText('No usage to show yet')).toBeInTheDocument();
    unmount();

    const failing = createFakeApi();
    failing.getUsageInsight.mockRejectedValue(
      responseError(500, 'Error', 'database is down'),
    );
    await render(failing);
    expect(
      (await screen.findAllByText(/database is down/)).length,
    ).toBeGreaterThan(0);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeEnabled();
  });
});
