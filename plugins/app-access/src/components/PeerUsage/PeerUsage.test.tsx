import { screen, waitFor, within } from '@testing-library/react';
import {
  createFakeApi,
  githubPeers,
  renderInPlugin,
  responseError,
  slack,
  slackPeers,
} from '../../__testUtils__';
import { PeerUsageBadges } from './PeerUsageBadges';
import { WhoUsesIt } from './WhoUsesIt';

const renderWho = (
  appId: string,
  api = createFakeApi(),
  displayNames?: Record<string, string>,
) =>
  renderInPlugin(<WhoUsesIt appId={appId} />, {
    api,
    path: '/apps/:appId',
    route: `/apps/${appId}`,
    displayNames,
  });

describe('PeerUsageBadges', () => {
  it('shows teammates and role counts with what they mean', async () => {
    await renderInPlugin(<PeerUsageBadges app={slack} />, {
      api: createFakeApi(),
    });

    expect(screen.getByText('5 teammates')).toBeInTheDocument();
    expect(screen.getByText('9 in your role')).toBeInTheDocument();
    expect(
      screen.getByTitle('5 members of your groups use Slack'),
    ).toBeInTheDocument();
    expect(
      screen.getByTitle('9 people with your title (or department) use Slack'),
    ).toBeInTheDocument();
  });

  it('leaves out counts of zero and says nothing when nobody uses it', async () => {
    await renderInPlugin(
      <>
        <PeerUsageBadges app={{ name: 'One', peers: { team: 1, role: 0 } }} />
        <PeerUsageBadges app={{ name: 'None', peers: { team: 0, role: 0 } }} />
        <PeerUsageBadges app={{ name: 'Old backend' }} />
      </>,
      { api: createFakeApi() },
    );

    expect(screen.getAllByTestId('peer-usage')).toHaveLength(1);
    expect(screen.getByText('1 teammate')).toBeInTheDocument();
    expect(screen.queryByText(/in your role/)).not.toBeInTheDocument();
  });
});

describe('WhoUsesIt', () => {
  it('names teammates and, when allowed, people in the role', async () => {
    const api = createFakeApi();
    await renderWho('github', api);

    expect(
      await screen.findByText('3 of 6 on your team use it'),
    ).toBeInTheDocument();
    expect(api.getAppPeers).toHaveBeenCalledWith('github');
    const groups = screen.getByText(/Members of/);
    expect(groups).toHaveTextContent(/^Members of platform$/);
    expect(
      within(groups).getByRole('link', { name: 'platform' }),
    ).toHaveAttribute('href', '/catalog/default/group/platform');
    const team = screen.getByRole('list', { name: 'Teammates who use it' });
    expect(
      within(team).getByRole('link', { name: 'Alex Dev' }),
    ).toHaveAttribute('href', '/catalog/default/user/alex.dev');
    // Without a display name, the humanized ref.
    expect(
      within(team).getByRole('link', { name: 'lee.ops' }),
    ).toBeInTheDocument();

    expect(
      screen.getByText(
        '14 of 20 people with your department (Engineering) use it',
      ),
    ).toBeInTheDocument();
    const role = screen.getByRole('list', {
      name: 'People in your role who use it',
    });
    expect(
      within(role).getByRole('link', { name: 'Ravi Backend' }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/privacy setting/)).not.toBeInTheDocument();
  });

  it('asks the catalog for the names the backend did not send', async () => {
    await renderWho('github', createFakeApi(), {
      'user:default/lee.ops': 'Lee Ops',
      'group:default/platform': 'Platform Team',
      // The backend's name wins.
      'user:default/alex.dev': 'Alexandra Dev',
    });

    const team = await screen.findByRole('list', {
      name: 'Teammates who use it',
    });
    expect(within(team).getByRole('link', { name: 'Lee Ops' })).toHaveAttribute(
      'href',
      '/catalog/default/user/lee.ops',
    );
    expect(
      within(team).getByRole('link', { name: 'Alex Dev' }),
    ).toBeInTheDocument();
    expect(screen.getByText(/Members of/)).toHaveTextContent(
      /^Members of Platform Team$/,
    );
  });

  it('says when names outside the team are hidden', async () => {
    await renderWho('slack');

    expect(
      await screen.findByText('5 of 6 on your team use it'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Members of/)).toHaveTextContent(
      /^Members of platform and sre$/,
    );
    expect(
      within(
        screen.getByRole('list', { name: 'Teammates who use it' }),
      ).getAllByRole('link'),
    ).toHaveLength(slackPeers.team.people!.length);
    expect(
      screen.getByText(
        '9 of 20 people with your title (Software Engineer) use it',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('list', { name: 'People in your role who use it' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(
        "Names outside your team are hidden by your company's privacy setting.",
      ),
    ).toBeInTheDocument();
  });

  it('explains when there is no team or role to compare with', async () => {
    await renderWho(
      'github',
      createFakeApi({
        getAppPeers: jest.fn(async () => ({
          ...githubPeers,
          team: { count: 0, size: 0, groups: [] },
          role: { count: 0, size: 0, basis: 'title' as const },
        })),
      }),
    );

    expect(
      await screen.findByText(/You aren't in a team in the catalog/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Your title isn't in the directory/),
    ).toBeInTheDocument();
  });

  it('shows nothing when the backend has no peer usage', async () => {
    const api = createFakeApi({
      getAppPeers: jest.fn(async () => {
        throw responseError(
          404,
          'NotFoundError',
          'Peer usage is not available',
        );
      }),
    });
    await renderWho('github', api);

    await waitFor(() => expect(api.getAppPeers).toHaveBeenCalled());
    await waitFor(() =>
      expect(screen.queryByText('Who uses it')).not.toBeInTheDocument(),
    );
  });
});
