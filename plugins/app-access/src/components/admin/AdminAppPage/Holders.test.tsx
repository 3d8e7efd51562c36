import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { AccessGrant } from '@app-access/plugin-app-access-common';
import {
  createFakeApi,
  myGrants,
  renderInPlugin,
  responseError,
} from '../../../__testUtils__';
import { Holders } from './Holders';

jest.setTimeout(60_000);

const TIERS = [
  { id: 'stakeholder', name: 'Stakeholder' },
  { id: 'responder', name: 'Responder' },
];

/** Two responders (one on the way out) for PagerDuty. */
const holders: AccessGrant[] = [
  { ...myGrants[0] },
  {
    ...myGrants[0],
    id: 'g-pagerduty-kim',
    grantee: 'user:default/kim.lee',
    endsAt: undefined,
  },
  {
    ...myGrants[0],
    id: 'g-pagerduty-leo',
    grantee: 'user:default/leo.park',
    status: 'removing',
  },
];

const render = (api = createFakeApi()) =>
  renderInPlugin(<Holders appId="pagerduty" tiers={TIERS} />, {
    api,
    displayNames: {
      'user:default/jane.doe': 'Jane Doe',
      'user:default/kim.lee': 'Kim Lee',
      'user:default/leo.park': 'Leo Park',
    },
  });

describe('Holders', () => {
  it('lists the holders by tier with since, until, how and status', async () => {
    const api = createFakeApi({
      listAppGrants: jest.fn(async () => ({ items: structuredClone(holders) })),
    });
    await render(api);
    const responders = await screen.findByTestId('holders-responder');
    expect(api.listAppGrants).toHaveBeenCalledWith('pagerduty');
    expect(within(responders).getByText('Responder (3)')).toBeInTheDocument();
    expect(within(responders).getByText('Jane Doe')).toBeInTheDocument();
    expect(within(responders).getByText('Kim Lee')).toBeInTheDocument();
    expect(
      within(responders).getByText('Until you remove it'),
    ).toBeInTheDocument();
    expect(within(responders).getByText('Being removed')).toBeInTheDocument();
    // Only access still held can be revoked.
    expect(
      within(responders).getAllByRole('button', { name: 'Revoke' }),
    ).toHaveLength(2);
    expect(screen.queryByTestId('holders-stakeholder')).not.toBeInTheDocument();
  });

  it('revokes one holder only with a reason', async () => {
    const api = createFakeApi({
      listAppGrants: jest.fn(async () => ({ items: structuredClone(holders) })),
    });
    await render(api);
    const kim = (await screen.findByText('Kim Lee')).closest('tr')!;
    fireEvent.click(within(kim).getByRole('button', { name: 'Revoke' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    expect(
      await within(dialog).findByText(/Give a reason/),
    ).toBeInTheDocument();
    expect(api.revokeGrant).not.toHaveBeenCalled();
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'Left the on-call rotation' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await waitFor(() =>
      expect(api.revokeGrant).toHaveBeenCalledWith(
        'g-pagerduty-kim',
        'Left the on-call rotation',
      ),
    );
    expect(
      await screen.findByText('Responder is being removed from kim.lee'),
    ).toBeInTheDocument();
    // The list is read again after the change.
    expect(api.listAppGrants).toHaveBeenCalledTimes(2);
  });

  it('revokes a tier from all its holders with a reason', async () => {
    const api = createFakeApi({
      listAppGrants: jest.fn(async () => ({ items: structuredClone(holders) })),
      revokeTier: jest.fn(async () => ({ items: holders.slice(0, 2) })),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Revoke all holders of this tier',
      }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Revoke Responder from all 2 holders?',
    });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'Rotation retired' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await waitFor(() =>
      expect(api.revokeTier).toHaveBeenCalledWith(
        'pagerduty',
        'responder',
        'Rotation retired',
      ),
    );
    expect(
      await screen.findByText('Responder is being removed from 2 holders'),
    ).toBeInTheDocument();
  });

  it('keeps the dialog open with the error when revoking fails', async () => {
    const api = createFakeApi({
      listAppGrants: jest.fn(async () => ({ items: structuredClone(holders) })),
      revokeGrant: jest.fn(async () => {
        throw responseError(
          409,
          'ConflictError',
          'The access is already being removed',
        );
      }),
    });
    await render(api);
    const jane = (await screen.findByText('Jane Doe')).closest('tr')!;
    fireEvent.click(within(jane).getByRole('button', { name: 'Revoke' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'Moved teams' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    expect(
      await within(dialog).findByText('The access is already being removed'),
    ).toBeInTheDocument();
  });

  it('says when nobody holds the app', async () => {
    const api = createFakeApi({
      listAppGrants: jest.fn(async () => ({ items: [] })),
    });
    await render(api);
    expect(
      await screen.findByText('Nobody holds this app through App Access.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Revoke/ })).toBeNull();
  });

  it('shows the error when the holders cannot be listed', async () => {
    const api = createFakeApi({
      listAppGrants: jest.fn(async () => {
        throw responseError(
          403,
          'NotAllowedError',
          'Not allowed to read grants',
        );
      }),
    });
    await render(api);
    expect(
      (await screen.findAllByText(/Not allowed to read grants/))[0],
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Revoke/ })).toBeNull();
  });
});
