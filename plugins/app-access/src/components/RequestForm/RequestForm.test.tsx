import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AccessRequest } from '@app-access/plugin-app-access-common';
import {
  createFakeApi,
  figma,
  github,
  pendingRequest,
  renderInPlugin,
  responseError,
  slack,
} from '../../__testUtils__';
import { RequestForm } from './RequestForm';

const render = (
  api = createFakeApi(),
  props: Partial<Parameters<typeof RequestForm>[0]> = {},
  displayNames?: Record<string, string>,
) =>
  renderInPlugin(
    <RequestForm app={figma} open onClose={jest.fn()} {...props} />,
    { api, path: '/apps/:appId', route: '/apps/figma', displayNames },
  );

describe('RequestForm', () => {
  it('pre-selects the only tier and says when no approval is needed', async () => {
    const api = createFakeApi();
    await render(api, { app: slack });

    expect(screen.getByRole('radio', { name: /Standard/ })).toBeChecked();
    expect(
      await screen.findByText(
        'No approval needed — access is granted right away',
      ),
    ).toBeInTheDocument();
    expect(api.getApproverPreview).toHaveBeenCalledWith('slack', 'standard');
    expect(screen.getByLabelText(/Why do you need it/)).not.toBeRequired();
  });

  it('shows who approves at each level for the chosen tier', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.click(screen.getByRole('radio', { name: /Editor/ }));

    const approvers = await screen.findByRole('list', { name: 'Approvers' });
    expect(within(approvers).getByText(/Level 1/)).toBeInTheDocument();
    expect(within(approvers).getByText('Sam Manager')).toBeInTheDocument();
    expect(within(approvers).getByText(/Level 2/)).toBeInTheDocument();
    expect(within(approvers).getByText('IT')).toBeInTheDocument();
    expect(
      within(approvers).getByText(/standing in as fallback approver/),
    ).toBeInTheDocument();
    expect(api.getApproverPreview).toHaveBeenLastCalledWith('figma', 'editor');
  });

  it('warns when every seat of the tier is in use', async () => {
    const seatWarning =
      'All seats of this tier are in use: approving your request means buying one more.';
    const api = createFakeApi({
      getApproverPreview: jest.fn(async () => ({
        needsApproval: false,
        levels: [],
        seatWarning,
      })),
    });
    await render(api, { app: slack });
    expect(await screen.findByTestId('seat-warning')).toHaveTextContent(
      seatWarning,
    );
  });

  it('asks the catalog for approvers the backend did not name', async () => {
    const api = createFakeApi({
      getApproverPreview: jest.fn(async () => ({
        needsApproval: true,
        levels: [
          {
            level: 1,
            approvers: [
              { ref: 'user:default/sam.manager' },
              { ref: 'user:default/gone.person' },
            ],
            fallback: false,
          },
        ],
      })),
    });
    await render(
      api,
      { initialTierId: 'editor' },
      { 'user:default/sam.manager': 'Sam Manager' },
    );

    const approvers = await screen.findByRole('list', { name: 'Approvers' });
    expect(approvers).toHaveTextContent(
      /^Level 1: Sam Manager or gone\.person$/,
    );
    const sam = within(approvers).getByRole('link', { name: 'Sam Manager' });
    expect(sam).toHaveAttribute('href', '/catalog/default/user/sam.manager');
    // Opens next to the form, which keeps what was typed.
    expect(sam).toHaveAttribute('target', '_blank');
  });

  it('labels each approval level once, without list numbers on top', async () => {
    await render(createFakeApi(), { initialTierId: 'editor' });

    const approvers = await screen.findByRole('list', { name: 'Approvers' });
    expect(approvers.tagName).toBe('UL');
    const levels = within(approvers).getAllByRole('listitem');
    expect(levels.map(level => level.textContent)).toEqual([
      'Level 1: Sam Manager',
      'Level 2: IT (standing in as fallback approver)',
    ]);
  });

  it('does not offer a tier the user already has', async () => {
    await render(createFakeApi(), { heldTierIds: ['viewer'] });

    expect(screen.getByRole('radio', { name: /Viewer/ })).toBeDisabled();
    // The only tier left is picked.
    expect(screen.getByRole('radio', { name: /Editor/ })).toBeChecked();
    expect(screen.getByText('You have it')).toBeInTheDocument();
  });

  it('requires a justification when the tier needs approval', async () => {
    const api = createFakeApi();
    await render(api, { initialTierId: 'editor' });

    const justification = screen.getByLabelText(/Why do you need it/);
    expect(justification).toBeRequired();
    expect(
      screen.getByText('Required: your approvers read this before deciding.'),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );

    expect(
      screen.getByText(
        'Required for this tier: your approvers decide based on it',
      ),
    ).toBeInTheDocument();
    expect(justification).toHaveAttribute('aria-invalid', 'true');
    expect(api.createRequest).not.toHaveBeenCalled();
  });

  it('asks to choose a tier when there are several', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );

    expect(screen.getByText('Choose a tier')).toBeInTheDocument();
    expect(api.createRequest).not.toHaveBeenCalled();
  });

  it('shows the server’s validation message under the field it is about', async () => {
    const api = createFakeApi({
      createRequest: jest.fn(async () => {
        throw responseError(
          400,
          'InputError',
          'justification: required when the tier needs approval',
        );
      }),
    });
    // The frontend thinks no approval is needed; the server disagrees.
    await render(api, { app: slack });

    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );

    const justification = screen.getByLabelText(/Why do you need it/);
    expect(
      await screen.findByText('Required when the tier needs approval'),
    ).toBeInTheDocument();
    expect(justification).toHaveAttribute('aria-invalid', 'true');
    expect(justification).toHaveAccessibleDescription(
      'Required when the tier needs approval',
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    // The form can be sent again after fixing it.
    expect(
      screen.getByRole('button', { name: 'Submit request' }),
    ).toBeEnabled();
  });

  it('shows other server messages, like a duplicate, as an alert', async () => {
    const api = createFakeApi({
      createRequest: jest.fn(async () => {
        throw responseError(
          409,
          'ConflictError',
          'You already have an open request req-1 for Figma',
        );
      }),
    });
    await render(api, { initialTierId: 'viewer' });

    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'You already have an open request req-1 for Figma',
    );
  });

  it('sends once however often the button is clicked', async () => {
    let resolve: (r: AccessRequest) => void = () => {};
    const api = createFakeApi({
      createRequest: jest.fn(
        () =>
          new Promise<AccessRequest>(r => {
            resolve = r;
          }),
      ),
    });
    await render(api, { app: github });

    await userEvent.type(
      screen.getByLabelText(/Why do you need it/),
      'Joining the platform team',
    );
    const form = screen.getByRole('form', {
      name: 'Request GitHub Enterprise',
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );
    // The button is disabled now; submitting the form another way (Enter in
    // a field) must not send a second request either.
    expect(screen.getByRole('button', { name: 'Submitting…' })).toBeDisabled();
    fireEvent.submit(form);
    fireEvent.submit(form);

    expect(api.createRequest).toHaveBeenCalledTimes(1);

    resolve({ ...pendingRequest, id: 'req-42' });
    expect(
      await screen.findByText('Now at /apps/requests/req-42'),
    ).toBeInTheDocument();
  });

  it('submits what was entered and opens the new request', async () => {
    const api = createFakeApi();
    await render(api, { initialTierId: 'editor' });

    await userEvent.type(
      screen.getByLabelText(/Why do you need it/),
      '  I design the onboarding flow  ',
    );
    await userEvent.type(screen.getByLabelText('Needed by'), '2031-03-01');
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );

    expect(
      await screen.findByText('Now at /apps/requests/req-new'),
    ).toBeInTheDocument();
    expect(api.createRequest).toHaveBeenCalledWith({
      appId: 'figma',
      tierId: 'editor',
      justification: 'I design the onboarding flow',
      neededBy: '2031-03-01',
    });
  });

  it('offers durations up to the tier maximum and refuses to send without one when the tier requires it', async () => {
    const api = createFakeApi();
    const timeBound = {
      ...figma,
      myRequest: undefined,
      tiers: [
        { ...figma.tiers[1], maxDurationDays: 10, durationRequired: true },
      ],
    };
    await render(api, { app: timeBound, initialTierId: 'editor' });
    await userEvent.type(screen.getByLabelText(/Why do you need it/), 'Audit');
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );
    expect(
      await screen.findByText('Choose how long you need it'),
    ).toBeInTheDocument();
    expect(api.createRequest).not.toHaveBeenCalled();

    fireEvent.mouseDown(screen.getByLabelText(/For how long/));
    const options = within(await screen.findByRole('listbox'))
      .getAllByRole('option')
      .map(o => o.textContent);
    expect(options).toEqual(['1 day', '3 days', '7 days', '10 days']);
    await userEvent.click(screen.getByRole('option', { name: '7 days' }));
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );
    await waitFor(() =>
      expect(api.createRequest).toHaveBeenCalledWith(
        expect.objectContaining({ tierId: 'editor', durationDays: 7 }),
      ),
    );
  });

  it("preselects the settings' default duration (offered even when it is not a standard length)", async () => {
    const api = createFakeApi();
    const capped = {
      ...figma,
      myRequest: undefined,
      tiers: [
        {
          ...figma.tiers[1],
          maxDurationDays: 45,
          durationRequired: true,
          defaultDurationDays: 21,
        },
      ],
    };
    await render(api, { app: capped, initialTierId: 'editor' });
    expect(screen.getByLabelText(/For how long/)).toHaveTextContent('21 days');
    fireEvent.mouseDown(screen.getByLabelText(/For how long/));
    const options = within(await screen.findByRole('listbox'))
      .getAllByRole('option')
      .map(o => o.textContent);
    expect(options).toEqual([
      '1 day',
      '3 days',
      '7 days',
      '14 days',
      '21 days',
      '30 days',
      '45 days',
    ]);
    await userEvent.keyboard('{Escape}');
    await userEvent.type(screen.getByLabelText(/Why do you need it/), 'Audit');
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );
    await waitFor(() =>
      expect(api.createRequest).toHaveBeenCalledWith(
        expect.objectContaining({ tierId: 'editor', durationDays: 21 }),
      ),
    );
  });

  it('requests for a direct report: the person is picked and sent as onBehalfOf', async () => {
    const api = createFakeApi();
    await render(api, { initialTierId: 'editor', heldTierIds: ['editor'] });
    // The caller's own Editor does not block asking for it for someone else.
    await userEvent.click(
      await screen.findByRole('checkbox', { name: 'Request for someone else' }),
    );
    expect(screen.getByRole('radio', { name: /Editor/ })).toBeEnabled();
    await userEvent.click(screen.getByRole('radio', { name: /Editor/ }));
    await userEvent.type(
      screen.getByLabelText(/Why do you need it/),
      'Starts on Monday',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );
    expect(
      await screen.findByText('Pick the person who needs access'),
    ).toBeInTheDocument();
    expect(api.createRequest).not.toHaveBeenCalled();

    await userEvent.type(screen.getByLabelText(/Who needs access/), 'Kim');
    await userEvent.click(
      await screen.findByRole('option', { name: 'Kim Lee' }),
    );
    expect(
      screen.getByText(/Approvals follow Kim Lee: their manager and groups/),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );
    expect(
      await screen.findByText('Now at /apps/requests/req-new'),
    ).toBeInTheDocument();
    expect(api.createRequest).toHaveBeenCalledWith({
      appId: 'figma',
      tierId: 'editor',
      justification: 'Starts on Monday',
      onBehalfOf: 'user:default/kim.lee',
    });
  });

  it('offers no "someone else" when the rule is off', async () => {
    const api = createFakeApi();
    api.getOnBehalfOptions.mockResolvedValue({ rule: 'off', reports: [] });
    await render(api, { initialTierId: 'editor' });
    await waitFor(() => expect(api.getOnBehalfOptions).toHaveBeenCalled());
    expect(
      screen.queryByRole('checkbox', { name: 'Request for someone else' }),
    ).not.toBeInTheDocument();
  });

  it('rejects a needed-by date in the past', async () => {
    const api = createFakeApi();
    await render(api, { initialTierId: 'viewer' });

    await userEvent.type(screen.getByLabelText('Needed by'), '2001-01-01');
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );

    expect(screen.getByText('Pick today or a later date')).toBeInTheDocument();
    await waitFor(() => expect(api.createRequest).not.toHaveBeenCalled());
  });
});

describe('RequestForm limits and focus', () => {
  it('shows a live count of the justification against its limit', async () => {
    await render(createFakeApi(), { initialTierId: 'editor' });

    const why = screen.getByLabelText(/Why do you need it/);
    expect(screen.getByText('0 / 4000')).toBeInTheDocument();
    await userEvent.type(why, 'For the redesign');
    expect(screen.getByText('16 / 4000')).toBeInTheDocument();
  });

  it('will not send a justification over the limit, and says why', async () => {
    const api = createFakeApi();
    await render(api, { initialTierId: 'editor' });

    const why = screen.getByLabelText(/Why do you need it/);
    fireEvent.change(why, { target: { value: 'a'.repeat(4123) } });
    // Visible while typing, before any attempt to send.
    expect(
      screen.getByText(
        'Too long: 4123 characters, the limit is 4000. Shorten it by 123.',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );

    expect(api.createRequest).not.toHaveBeenCalled();
    expect(why).toHaveAttribute('aria-invalid', 'true');

    fireEvent.change(why, { target: { value: 'a'.repeat(4000) } });
    expect(screen.getByText('4000 / 4000')).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );
    await waitFor(() => expect(api.createRequest).toHaveBeenCalledTimes(1));
  });

  it('starts on the first tier when none is chosen yet', async () => {
    await render();

    await waitFor(() =>
      expect(screen.getByRole('radio', { name: /Viewer/ })).toHaveFocus(),
    );
  });

  it('starts in the justification when the tier is already chosen', async () => {
    await render(createFakeApi(), { initialTierId: 'editor' });

    expect(screen.getByLabelText(/Why do you need it/)).toHaveFocus();
  });
});

describe('RequestForm server messages', () => {
  it('puts a schema message into words under its field', async () => {
    const api = createFakeApi({
      createRequest: jest.fn(async () => {
        throw responseError(
          400,
          'InputError',
          'justification: String must contain at most 4000 character(s); neededBy: Invalid date',
        );
      }),
    });
    await render(api, { initialTierId: 'editor' });

    await userEvent.type(
      screen.getByLabelText(/Why do you need it/),
      'For the redesign',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );

    expect(
      await screen.findByText('Too long: use at most 4000 characters'),
    ).toBeInTheDocument();
    expect(screen.getByText('Not a valid date')).toBeInTheDocument();
    expect(screen.queryByText(/character\(s\)/)).not.toBeInTheDocument();
  });
});
