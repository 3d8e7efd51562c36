import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SidebarOpenStateProvider } from '@backstage/core-components';
import { AccessRequest } from '@app-access/plugin-app-access-common';
import {
  createFakeApi,
  pendingApprovals,
  renderInPlugin,
} from '../../__testUtils__';
import { notifyApprovalsChanged } from '../../lib/events';
import { ApprovalsPage } from '../ApprovalsPage';
import { AppAccessApprovalsSidebarItem } from './AppAccessApprovalsSidebarItem';

/** A backend whose inbox shrinks as decisions are made. */
function inboxApi() {
  let waiting = [...pendingApprovals];
  return createFakeApi({
    listApprovals: jest.fn(async () => ({ items: waiting })),
    decide: jest.fn(async (requestId: string, body): Promise<AccessRequest> => {
      const task = waiting.find(t => t.requestId === requestId)!;
      waiting = waiting.filter(t => t !== task);
      return {
        ...task.request,
        status: body.decision === 'approve' ? 'approved' : 'denied',
      };
    }),
  });
}

describe('AppAccessApprovalsSidebarItem', () => {
  it('links to the inbox with the number of waiting approvals', async () => {
    const api = createFakeApi();
    await renderInPlugin(<AppAccessApprovalsSidebarItem />, {
      api,
      path: '/',
      route: '/',
    });

    const link = await screen.findByRole('link', { name: /Approvals \(2\)/ });
    expect(link).toHaveAttribute('href', '/apps/approvals');
    expect(screen.getByTestId('app-access-approvals-badge')).toHaveTextContent(
      '2',
    );
    expect(api.listApprovals).toHaveBeenCalledWith({ limit: 100 });
  });

  it('follows the live updates the backend sends (Backstage signals)', async () => {
    const listeners = new Map<string, (message: any) => void>();
    const signalApi = {
      subscribe: (channel: string, onMessage: (message: any) => void) => {
        listeners.set(channel, onMessage);
        return { unsubscribe: () => listeners.delete(channel) };
      },
    };
    let waiting = pendingApprovals.slice(0, 1);
    const api = createFakeApi({
      listApprovals: jest.fn(async () => ({ items: waiting })),
    });
    await renderInPlugin(<AppAccessApprovalsSidebarItem />, {
      api,
      path: '/',
      route: '/',
      signalApi,
    });
    expect(
      await screen.findByRole('link', { name: /Approvals \(1\)/ }),
    ).toBeInTheDocument();

    // A new request waits for this approver: the backend says so.
    waiting = pendingApprovals;
    act(() =>
      listeners.get('app-access:requests')!({
        requestId: pendingApprovals[1].requestId,
        kind: 'approval_needed',
        status: 'pending_approval',
      }),
    );
    expect(
      await screen.findByRole('link', { name: /Approvals \(2\)/ }),
    ).toBeInTheDocument();
  });

  it('shows no count when nothing is waiting', async () => {
    await renderInPlugin(<AppAccessApprovalsSidebarItem to="/approvals" />, {
      api: createFakeApi({
        listApprovals: jest.fn(async () => ({ items: [] })),
      }),
      path: '/',
      route: '/',
    });

    const link = await screen.findByRole('link', { name: 'Approvals' });
    expect(link).toHaveAttribute('href', '/approvals');
    expect(
      screen.getByTestId('app-access-approvals-badge'),
    ).not.toHaveTextContent(/\d/);
  });

  it('updates the count after a decision in the inbox', async () => {
    const api = inboxApi();
    await renderInPlugin(<ApprovalsPage />, {
      api,
      path: '/apps/approvals',
      route: '/apps/approvals',
      userEntityRef: 'user:default/sam.manager',
      sidebar: <AppAccessApprovalsSidebarItem />,
    });
    expect(
      await screen.findByRole('link', { name: 'Approvals (2)' }),
    ).toBeInTheDocument();

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Approve GitHub Enterprise for alex.dev',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );

    expect(
      await screen.findByRole('link', { name: 'Approvals (1)' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('app-access-approvals-badge')).toHaveTextContent(
      '1',
    );
  });

  it('reloads when told the inbox changed, and on window focus', async () => {
    const api = inboxApi();
    await renderInPlugin(<AppAccessApprovalsSidebarItem />, {
      api,
      path: '/',
      route: '/',
    });
    await screen.findByRole('link', { name: 'Approvals (2)' });
    expect(api.listApprovals).toHaveBeenCalledTimes(1);

    // Decided elsewhere (another tab, Slack): the event alone reloads.
    await api.decide('req-10', { decision: 'approve' });
    act(() => notifyApprovalsChanged());
    expect(
      await screen.findByRole('link', { name: 'Approvals (1)' }),
    ).toBeInTheDocument();

    await api.decide('req-11', { decision: 'deny', comment: 'No' });
    fireEvent.focus(window);
    expect(
      await screen.findByRole('link', { name: 'Approvals' }),
    ).toBeInTheDocument();
    expect(api.listApprovals).toHaveBeenCalledTimes(3);
  });

  it('shows the count once, on the badge, in the open sidebar', async () => {
    await renderInPlugin(
      <SidebarOpenStateProvider value={{ isOpen: true, setOpen: () => {} }}>
        <AppAccessApprovalsSidebarItem />
      </SidebarOpenStateProvider>,
      {
        api: createFakeApi(),
        path: '/',
        route: '/',
      },
    );

    const link = await screen.findByRole('link', { name: 'Approvals (2)' });
    expect(link).toHaveTextContent(/^[^\d]*2[^\d]*$/);
    expect(within(link).getByText('Approvals')).toBeInTheDocument();
    expect(within(link).queryByText(/\(2\)/)).not.toBeInTheDocument();
  });
});
