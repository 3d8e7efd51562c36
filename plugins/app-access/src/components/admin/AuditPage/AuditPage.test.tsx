import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/test-utils';
import {
  createFakeApi,
  renderInPlugin,
  responseError,
} from '../../../__testUtils__/fakeApi';
import { dayToIso } from '../lib/download';
import { AuditPage } from './AuditPage';

jest.setTimeout(60_000);

const render = (api = createFakeApi()) =>
  renderInPlugin(<AuditPage />, {
    api,
    path: '/apps/admin/audit',
    route: '/apps/admin/audit',
    permissionApi: mockApis.permission(),
  });

describe('AuditPage', () => {
  const createObjectURL = jest.fn(() => 'blob:audit');
  const revokeObjectURL = jest.fn();
  let clicked: HTMLAnchorElement[] = [];

  beforeEach(() => {
    clicked = [];
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function recordClick(this: HTMLAnchorElement) {
        clicked.push(this);
      });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('lists events, newest first, with links to their requests', async () => {
    await render();

    expect(await screen.findByText('Settings changed')).toBeInTheDocument();
    expect(screen.getByText('Approved (level 2)')).toBeInTheDocument();
    expect(screen.getByText('Marked fulfilled')).toBeInTheDocument();
    expect(
      screen.getAllByRole('link', { name: 'req-slack' })[0],
    ).toHaveAttribute('href', '/apps/admin/requests/req-slack');
  });

  it('filters by event, actor, app, request and dates', async () => {
    const api = createFakeApi();
    await render(api);
    await screen.findByText('Settings changed');

    await userEvent.click(
      screen.getByRole('button', { name: 'Event Any event' }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'Approved' }),
    );
    fireEvent.change(screen.getByLabelText('Actor'), {
      target: { value: 'user:default/sam.manager' },
    });
    fireEvent.change(screen.getByLabelText('App id'), {
      target: { value: 'slack' },
    });
    fireEvent.change(screen.getByLabelText('Request id'), {
      target: { value: 'req-slack' },
    });
    fireEvent.change(screen.getByLabelText('Since'), {
      target: { value: '2030-01-31' },
    });
    fireEvent.change(screen.getByLabelText('Until'), {
      target: { value: '2030-01-01' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );
    expect(screen.getByLabelText('Until')).toHaveAccessibleDescription(
      'Must not be before “Since”',
    );
    expect(api.listAudit).toHaveBeenCalledTimes(1);

    fireEvent.change(screen.getByLabelText('Since'), {
      target: { value: '2020-01-01' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );

    await waitFor(() =>
      expect(api.listAudit).toHaveBeenLastCalledWith({
        type: 'approved',
        actor: 'user:default/sam.manager',
        appId: 'slack',
        requestId: 'req-slack',
        since: dayToIso('2020-01-01', 'start'),
        until: dayToIso('2030-01-01', 'end'),
        limit: 100,
        cursor: undefined,
      }),
    );
    expect(await screen.findByText('Approved (level 1)')).toBeInTheDocument();
    expect(screen.queryByText('Settings changed')).not.toBeInTheDocument();
  });

  it('exports the filtered trail as a CSV download', async () => {
    const api = createFakeApi();
    await render(api);
    await screen.findByText('Settings changed');

    fireEvent.change(screen.getByLabelText('App id'), {
      target: { value: 'figma' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));

    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(api.downloadAuditCsv).toHaveBeenCalledWith(
      expect.objectContaining({ appId: 'figma', limit: 5000 }),
    );
    expect(createObjectURL).toHaveBeenCalledWith(expect.any(Blob));
    expect(clicked[0].download).toBe('app-access-audit.csv');
    expect(clicked[0].getAttribute('href')).toBe('blob:audit');
  });

  it('says when the export failed', async () => {
    const api = createFakeApi({
      downloadAuditCsv: jest.fn(async () => {
        throw responseError(
          403,
          'NotAllowedError',
          'You need the app-access.audit.read permission',
        );
      }),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Export CSV' }),
    );
    expect(
      await screen.findByText(
        'Export failed: You need the app-access.audit.read permission',
      ),
    ).toBeInTheDocument();
  });
});
