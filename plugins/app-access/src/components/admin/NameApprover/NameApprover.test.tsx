import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AccessRequest } from '@app-access/plugin-app-access-common';
import { createFakeApi, renderInPlugin } from '../../../__testUtils__';
import { NameApprover } from './NameApprover';

const waiting: AccessRequest = {
  id: 'req-9',
  kind: 'access',
  appId: 'datadog',
  tierId: 'admin',
  appName: 'Datadog',
  tierName: 'Admin',
  requester: 'user:default/raj.iyer',
  status: 'pending_approval',
  level: 2,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T11:00:00.000Z',
  approvals: [
    {
      id: 't1',
      requestId: 'req-9',
      level: 1,
      approvers: ['user:default/priya.platform'],
      status: 'approved',
      decidedBy: 'user:default/priya.platform',
      reminders: 0,
      fallback: false,
      createdAt: '2026-12-01T10:00:00.000Z',
    },
    {
      id: 't2',
      requestId: 'req-9',
      level: 2,
      approvers: [],
      status: 'open',
      reminders: 0,
      fallback: false,
      createdAt: '2026-12-01T11:00:00.000Z',
    },
  ],
};

describe('NameApprover', () => {
  it('lets an admin name who decides a level nobody may decide yet', async () => {
    const api = createFakeApi();
    api.nameApprover.mockResolvedValue({ ...waiting });
    const onNamed = jest.fn();
    await renderInPlugin(<NameApprover request={waiting} onNamed={onNamed} />, {
      api,
    });
    expect(
      screen.getByText(/Nobody may decide level 2: everyone who could decided/),
    ).toBeInTheDocument();
    const name = screen.getByRole('button', { name: 'Name approver' });
    expect(name).toBeDisabled();
    await userEvent.type(
      screen.getByLabelText('Approver for level 2'),
      'user:default/tom.platform',
    );
    await userEvent.click(name);
    await waitFor(() =>
      expect(api.nameApprover).toHaveBeenCalledWith(
        'req-9',
        'user:default/tom.platform',
      ),
    );
    expect(onNamed).toHaveBeenCalled();
  });

  it('shows nothing for a request whose open level has approvers', async () => {
    const api = createFakeApi();
    const staffed = {
      ...waiting,
      approvals: waiting.approvals!.map(t =>
        t.level === 2 ? { ...t, approvers: ['group:default/platform'] } : t,
      ),
    };
    await renderInPlugin(
      <NameApprover request={staffed} onNamed={jest.fn()} />,
      {
        api,
      },
    );
    expect(screen.queryByTestId('name-approver')).not.toBeInTheDocument();
  });
});
