import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { SyncRun } from '../../../api/AppAccessApi';
import {
  catalogSync,
  createFakeApi,
  oktaSync,
  renderInPlugin,
  responseError,
} from '../../../__testUtils__';
import { SyncStatusCard } from './SyncStatusCard';

const render = (api = createFakeApi(), refreshMs?: number) =>
  renderInPlugin(<SyncStatusCard refreshMs={refreshMs} />, {
    api,
    path: '/apps/admin/settings',
    route: '/apps/admin/settings',
  });

const n = (value: number) => value.toLocaleString();

const stat = (sync: string, key: string) =>
  screen.getByTestId(`sync-${sync}-${key}`);

describe('SyncStatusCard', () => {
  it('shows each sync with its status, times, mode and counts', async () => {
    const api = createFakeApi();
    await render(api);

    const okta = await screen.findByRole('region', { name: 'Okta sync' });
    expect(screen.getByTestId('sync-people')).toHaveTextContent(
      `People known: ${n(12480)}`,
    );
    expect(within(okta).getByText('Finished')).toBeInTheDocument();
    expect(within(okta).queryByRole('progressbar')).not.toBeInTheDocument();
    expect(okta).toHaveTextContent('Last started1 hour ago');
    expect(okta).toHaveTextContent('Last finished1 hour ago');
    expect(okta).toHaveTextContent('Duration25 min 30 s');
    expect(okta).toHaveTextContent(
      'Incremental: only changes since the run before (continued from a checkpoint 1×)',
    );

    expect(stat('okta', 'users')).toHaveTextContent(`Users read${n(12480)}`);
    expect(stat('okta', 'groups')).toHaveTextContent(`Groups${n(640)}`);
    expect(stat('okta', 'apps')).toHaveTextContent('Apps212');
    expect(stat('okta', 'assignments')).toHaveTextContent(
      `Assignments${n(48210)}`,
    );
    expect(stat('okta', 'http429')).toHaveTextContent('429s received3');
    expect(stat('okta', 'throttledMs')).toHaveTextContent(
      'Waiting on rate limits12 min 34 s',
    );
    const more = screen.getByTestId('sync-okta-more');
    expect(more).toHaveTextContent(`Direct assignments: ${n(9120)}`);
    expect(more).toHaveTextContent('Deactivated users: 37');
    expect(more).toHaveTextContent('Removed from Okta: 4');
    expect(more).not.toHaveTextContent(/full/i);

    const catalog = screen.getByRole('region', {
      name: 'Backstage catalog sync',
    });
    expect(within(catalog).getByText('Finished')).toBeInTheDocument();
    expect(stat('catalog', 'people')).toHaveTextContent(
      `People copied${n(12468)}`,
    );
    expect(catalog).toHaveTextContent('Duration4.2 s');
    // The catalog copy has no modes.
    expect(catalog).not.toHaveTextContent('Mode');
    expect(api.getSyncStatus).toHaveBeenCalledTimes(1);
  });

  it('shows a failed run’s error clearly, with the counts it got to', async () => {
    const failed: SyncRun = {
      ...oktaSync,
      status: 'failed',
      lastCounts: { ...oktaSync.lastCounts, full: 1, http429: 41 },
      lastError:
        'Okta is unavailable (HTTP 503) (GET /api/v1/apps/0oa1/users); the next run continues from the checkpoint',
    };
    await render(
      createFakeApi({
        getSyncStatus: jest.fn(async () => ({
          items: [catalogSync, failed],
          people: 12480,
        })),
      }),
    );

    const okta = await screen.findByRole('region', { name: 'Okta sync' });
    expect(within(okta).getByText('Failed')).toBeInTheDocument();
    const alert = within(okta).getByRole('alert');
    expect(alert).toHaveTextContent('The last run failed');
    expect(alert).toHaveTextContent(
      'Okta is unavailable (HTTP 503) (GET /api/v1/apps/0oa1/users); the next run continues from the checkpoint',
    );
    expect(okta).toHaveTextContent('Full: everything read again');
    expect(stat('okta', 'http429')).toHaveTextContent('429s received41');
    // The catalog copy went fine.
    const catalog = screen.getByRole('region', {
      name: 'Backstage catalog sync',
    });
    expect(within(catalog).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows a running sync with a progress bar, and reloads until it is done', async () => {
    const running: SyncRun = {
      ...oktaSync,
      status: 'running',
      lastStartedAt: new Date(Date.now() - 3 * 60_000).toISOString(),
      lastCounts: { full: 1, users: 2000, groups: 0, apps: 0, http429: 0 },
    };
    const api = createFakeApi();
    api.getSyncStatus
      .mockResolvedValueOnce({ items: [running], people: 10 })
      .mockResolvedValueOnce({ items: [running], people: 10 })
      .mockResolvedValue({ items: [oktaSync], people: 12480 });
    await render(api, 50);

    const okta = await screen.findByRole('region', { name: 'Okta sync' });
    expect(within(okta).getByText('Running')).toBeInTheDocument();
    expect(
      within(okta).getByRole('progressbar', { name: 'Okta sync running' }),
    ).toBeInTheDocument();
    expect(okta).toHaveTextContent('Running since3 minutes ago');
    // While running, the duration is not the last run's.
    expect(okta).not.toHaveTextContent('Duration');
    expect(stat('okta', 'users')).toHaveTextContent(`Users read${n(2000)}`);

    await waitFor(() =>
      expect(
        within(screen.getByRole('region', { name: 'Okta sync' })).getByText(
          'Finished',
        ),
      ).toBeInTheDocument(),
    );
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(api.getSyncStatus).toHaveBeenCalledTimes(3);
    // Done: no more reloads.
    await new Promise(r => setTimeout(r, 200));
    expect(api.getSyncStatus).toHaveBeenCalledTimes(3);
  });

  it('says what to configure when no sync has run yet', async () => {
    await render(
      createFakeApi({
        getSyncStatus: jest.fn(async () => ({ items: [], people: 0 })),
      }),
    );
    expect(
      await screen.findByText('No directory sync has run yet'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Configure appAccess\.okta/)).toHaveTextContent(
      'every 30 minutes by default',
    );
    expect(screen.queryByTestId('sync-people')).not.toBeInTheDocument();
  });

  it('shows a load failure, and loads again on refresh', async () => {
    const api = createFakeApi();
    api.getSyncStatus.mockRejectedValueOnce(
      responseError(500, 'Error', 'database is down'),
    );
    await render(api);
    expect(
      (await screen.findAllByText(/Request failed with 500/)).length,
    ).toBeGreaterThan(0);

    await userEvent.click(
      screen.getByRole('button', { name: 'Refresh sync status' }),
    );
    expect(
      await screen.findByRole('region', { name: 'Okta sync' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/Request failed with 500/),
    ).not.toBeInTheDocument();
  });
});
