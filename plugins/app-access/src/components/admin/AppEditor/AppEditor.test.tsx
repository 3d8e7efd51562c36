import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  createFakeApi,
  loom,
  renderInPlugin,
  responseError,
} from '../../../__testUtils__';
import { appToDraft, emptyDraft } from '../lib/appDraft';
import { AppEditor } from './AppEditor';

// A big form on a busy machine: give it time.
jest.setTimeout(60_000);

/** Sets a text field at once; typing key by key re-renders the whole form each time. */
const fill = (el: HTMLElement, value: string) =>
  fireEvent.change(el, { target: { value } });

async function render(
  props: Partial<Parameters<typeof AppEditor>[0]> = {},
  api = createFakeApi(),
) {
  const onSaved = jest.fn();
  const result = await renderInPlugin(
    <AppEditor initial={emptyDraft()} isNew onSaved={onSaved} {...props} />,
    { api, path: '/apps/admin/apps', route: '/apps/admin/apps' },
  );
  return { api, onSaved, result };
}

const tier = (n: number) => screen.getByRole('group', { name: `Tier ${n}` });

async function choose(container: HTMLElement, select: RegExp, option: string) {
  await userEvent.click(
    within(container).getByRole('button', { name: select }),
  );
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('AppEditor', () => {
  it('requires a name, an id and a category, and checks the id is a slug', async () => {
    const { api } = await render();
    const create = await screen.findByRole('button', { name: 'Create app' });

    await userEvent.click(create);
    expect(screen.getByLabelText(/^Name/)).toHaveAccessibleDescription(
      'Name the app',
    );
    expect(screen.getByLabelText(/^Id/)).toHaveAccessibleDescription(
      'Give the app an id',
    );
    expect(screen.getByLabelText(/^Category/)).toHaveAccessibleDescription(
      'Pick or type a category',
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Not saved: fix the fields marked in red.',
    );

    fill(screen.getByLabelText(/^Id/), 'My App');
    await userEvent.click(create);
    expect(screen.getByLabelText(/^Id/)).toHaveAccessibleDescription(
      'Use lowercase letters, digits and dashes',
    );
    expect(api.createApp).not.toHaveBeenCalled();
  });

  it('takes the “fix the fields” banner away once the fields are fixed', async () => {
    const { api } = await render();
    const create = await screen.findByRole('button', { name: 'Create app' });

    await userEvent.click(create);
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Not saved: fix the fields marked in red.',
    );

    // Name (and with it the id) fixed, the category still missing.
    fill(screen.getByLabelText(/^Name/), 'Linear');
    expect(screen.getByLabelText(/^Name/)).not.toHaveAccessibleDescription(
      'Name the app',
    );
    expect(screen.getByLabelText(/^Id/)).not.toHaveAccessibleDescription(
      'Give the app an id',
    );
    expect(screen.getByLabelText(/^Category/)).toHaveAccessibleDescription(
      'Pick or type a category',
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Not saved: fix the fields marked in red.',
    );

    // A field made invalid again says so at once.
    fill(screen.getByLabelText(/^Id/), 'Linear App');
    expect(screen.getByLabelText(/^Id/)).toHaveAccessibleDescription(
      'Use lowercase letters, digits and dashes',
    );
    fill(screen.getByLabelText(/^Id/), 'linear');
    fill(screen.getByLabelText(/^Category/), 'Project management');

    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getByLabelText(/^Category/)).not.toHaveAccessibleDescription(
      'Pick or type a category',
    );
    expect(api.createApp).not.toHaveBeenCalled();

    await userEvent.click(create);
    await waitFor(() => expect(api.createApp).toHaveBeenCalled());
  });

  it('clears the banner when a tier’s fields are fixed too', async () => {
    await render({
      initial: { ...emptyDraft(), id: 'x', name: 'X', category: 'Y' },
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Add tier' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Create app' }));
    expect(
      within(tier(1)).getByLabelText(/Tier id/),
    ).toHaveAccessibleDescription('Give the tier an id');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Not saved: fix the fields marked in red.',
    );

    fill(within(tier(1)).getByLabelText(/Tier id/), 'member');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Not saved: fix the fields marked in red.',
    );
    fill(within(tier(1)).getByLabelText(/Tier name/), 'Member');

    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(
      within(tier(1)).getByLabelText(/Tier id/),
    ).not.toHaveAccessibleDescription('Give the tier an id');
  });

  it('creates an app, with an id made from its name', async () => {
    const { api, onSaved } = await render();

    fill(await screen.findByLabelText(/^Name/), 'Linear');
    expect(screen.getByLabelText(/^Id/)).toHaveValue('linear');
    fill(screen.getByLabelText(/^Category/), 'Project management');
    await userEvent.click(screen.getByRole('button', { name: 'Create app' }));

    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.createApp).toHaveBeenCalledWith({
      id: 'linear',
      name: 'Linear',
      category: 'Project management',
      listed: false,
      externalIds: {},
      tiers: [],
    });
  });

  it('needs a tier to list an app, and allows at most 3', async () => {
    const { api } = await render({
      initial: { ...emptyDraft(), id: 'x', name: 'X', category: 'Y' },
    });

    await userEvent.click(
      await screen.findByRole('checkbox', { name: /Listed in the catalog/ }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Create app' }));
    expect(await screen.findByTestId('tiers-error')).toHaveTextContent(
      'An app listed in the catalog needs at least one tier',
    );
    expect(api.createApp).not.toHaveBeenCalled();

    const add = screen.getByRole('button', { name: 'Add tier' });
    await userEvent.click(add);
    await userEvent.click(add);
    await userEvent.click(add);
    expect(screen.getAllByRole('group', { name: /^Tier \d/ })).toHaveLength(3);
    expect(add).toBeDisabled();
    expect(
      screen.getByText('An app has at most 3 license tiers.'),
    ).toBeInTheDocument();
  });

  it('refuses duplicate tier ids', async () => {
    const { api } = await render({
      initial: { ...emptyDraft(), id: 'x', name: 'X', category: 'Y' },
    });
    const add = await screen.findByRole('button', { name: 'Add tier' });
    await userEvent.click(add);
    await userEvent.click(add);
    for (const n of [1, 2]) {
      fill(within(tier(n)).getByLabelText(/Tier id/), 'member');
      fill(within(tier(n)).getByLabelText(/Tier name/), `M${n}`);
    }
    await userEvent.click(screen.getByRole('button', { name: 'Create app' }));

    expect(
      within(tier(2)).getByLabelText(/Tier id/),
    ).toHaveAccessibleDescription("Duplicate tier id 'member'");
    expect(
      within(tier(1)).getByLabelText(/Tier id/),
    ).not.toHaveAccessibleDescription("Duplicate tier id 'member'");
    expect(api.createApp).not.toHaveBeenCalled();
  });

  it('offers a second level only after a first, and never a third', async () => {
    const { api } = await render({
      initial: { ...emptyDraft(), id: 'x', name: 'X', category: 'Y' },
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Add tier' }),
    );
    fill(within(tier(1)).getByLabelText(/Tier id/), 'pro');
    fill(within(tier(1)).getByLabelText(/Tier name/), 'Pro');
    await choose(tier(1), /Who needs approval/, 'Everyone');

    const second = within(tier(1)).getByRole('button', {
      name: 'Add a second level',
    });
    expect(second).toBeDisabled();

    await userEvent.click(
      within(tier(1)).getByRole('button', { name: 'Add level 1 approver' }),
    );
    expect(second).toBeEnabled();
    await userEvent.click(second);
    expect(
      within(tier(1)).getByRole('button', { name: 'Add level 2 approver' }),
    ).toBeInTheDocument();
    expect(
      within(tier(1)).queryByRole('button', { name: /level 3|third level/i }),
    ).not.toBeInTheDocument();

    // Taking level 1 away again leaves an invalid second level.
    await userEvent.click(
      within(tier(1)).getByRole('button', {
        name: 'Remove level 1 approver 1',
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Create app' }));
    expect(
      within(tier(1)).getByText('A second level needs a first level'),
    ).toBeInTheDocument();
    expect(api.createApp).not.toHaveBeenCalled();
  });

  it('saves an existing app with the whole body, tiers in their new order', async () => {
    const { api, onSaved } = await render({
      initial: appToDraft(loom),
      isNew: false,
      savedListed: false,
    });

    expect(await screen.findByLabelText(/^Id/)).toBeDisabled();
    const name = screen.getByLabelText(/^Name/);
    fill(name, 'Loom Business');
    await userEvent.click(screen.getByRole('button', { name: 'Add tier' }));
    fill(within(tier(2)).getByLabelText(/Tier id/), 'starter');
    fill(within(tier(2)).getByLabelText(/Tier name/), 'Starter');
    await choose(tier(2), /Who needs approval/, 'Nobody: granted at once');
    await userEvent.click(
      screen.getByRole('button', { name: 'Move Starter up' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save app' }));

    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.createApp).not.toHaveBeenCalled();
    expect(api.saveApp).toHaveBeenCalledWith({
      id: 'loom',
      name: 'Loom Business',
      vendor: 'Atlassian',
      category: 'Communication',
      description: 'Async video messages.',
      logo: { initials: 'LO', color: '#625DF5' },
      owner: 'group:default/it-admins',
      listed: false,
      externalIds: { oktaAppId: '0oaLoom' },
      approval: { required: 'everyone', level1: [{ type: 'manager' }] },
      tiers: [
        {
          id: 'starter',
          name: 'Starter',
          approval: { required: 'nobody' },
          fulfillment: { type: 'manual' },
        },
        {
          id: 'business',
          name: 'Business',
          fulfillment: { type: 'okta-group', oktaGroupId: '00gLoom' },
        },
      ],
    });
    expect(onSaved).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'Loom Business' }),
      'Saved Loom Business.',
    );
  });

  it('shows the server’s 400 message, next to the field it names', async () => {
    const api = createFakeApi();
    api.saveApp.mockRejectedValueOnce(
      responseError(
        400,
        'InputError',
        'tiers.0.fulfillment.oktaGroupId: no such group in Okta',
      ),
    );
    const { onSaved } = await render(
      { initial: appToDraft(loom), isNew: false },
      api,
    );

    await userEvent.click(
      await screen.findByRole('button', { name: 'Save app' }),
    );

    expect(await screen.findByText(/^Not saved:/)).toHaveTextContent(
      'Not saved: tiers.0.fulfillment.oktaGroupId: no such group in Okta',
    );
    expect(
      within(tier(1)).getByText('No such group in Okta'),
    ).toBeInTheDocument();
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('removes an app from the catalog after a confirmation, keeping it', async () => {
    const api = createFakeApi();
    const { onSaved } = await render(
      {
        initial: appToDraft({ ...loom, listed: true }),
        isNew: false,
        savedListed: true,
      },
      api,
    );

    await userEvent.click(
      await screen.findByRole('button', { name: 'Remove from catalog' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('history and the app’s settings are kept');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Remove from catalog' }),
    );

    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.saveApp).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'loom', listed: false }),
    );
    expect(onSaved.mock.calls[0][1]).toBe(
      'Loom was removed from the catalog. Its requests and history are kept.',
    );
  });

  it('edits price and seats per tier and keeps what it does not edit', async () => {
    const { api, onSaved } = await render({
      initial: appToDraft({
        ...loom,
        tiers: [
          {
            ...loom.tiers[0],
            maxDurationDays: 30,
            costPerSeatMonthly: 12.5,
            currency: 'EUR',
            seatsPurchased: 50,
          },
        ],
      }),
      isNew: false,
      savedListed: false,
    });
    const cost = await within(tier(1)).findByLabelText(/Cost per seat/);
    expect(cost).toHaveValue('12.5');
    expect(within(tier(1)).getByLabelText(/Currency/)).toHaveValue('EUR');
    fill(within(tier(1)).getByLabelText(/Seats bought/), '60');
    await userEvent.click(screen.getByRole('button', { name: 'Save app' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.saveApp).toHaveBeenCalledWith(
      expect.objectContaining({
        tiers: [
          {
            id: 'business',
            name: 'Business',
            fulfillment: { type: 'okta-group', oktaGroupId: '00gLoom' },
            maxDurationDays: 30,
            costPerSeatMonthly: 12.5,
            currency: 'EUR',
            seatsPurchased: 60,
          },
        ],
      }),
    );
  });

  it('refuses a price without currency, with 3 decimals, and fractional seats before saving', async () => {
    const { api } = await render({
      initial: appToDraft(loom),
      isNew: false,
      savedListed: false,
    });
    const cost = await within(tier(1)).findByLabelText(/Cost per seat/);
    fill(cost, '9.999');
    fill(within(tier(1)).getByLabelText(/Seats bought/), '2.5');
    await userEvent.click(screen.getByRole('button', { name: 'Save app' }));
    expect(cost).toHaveAccessibleDescription(
      'A price from 0 to 1,000,000 with at most 2 decimals',
    );
    expect(
      within(tier(1)).getByLabelText(/Currency/),
    ).toHaveAccessibleDescription('Pick the currency of the price');
    expect(
      within(tier(1)).getByLabelText(/Seats bought/),
    ).toHaveAccessibleDescription(
      'A whole number of seats from 0 to 10,000,000',
    );
    expect(api.saveApp).not.toHaveBeenCalled();
  });

  it('turns auto-reclaim on per tier with the usual rule, and off again', async () => {
    const { api, onSaved } = await render({
      initial: appToDraft(loom),
      isNew: false,
      savedListed: false,
    });
    const toggle = await within(tier(1)).findByRole('checkbox', {
      name: 'Auto-reclaim',
    });
    // Off by default: no days to fill in.
    expect(toggle).not.toBeChecked();
    expect(
      within(tier(1)).queryByLabelText(/Unused for/),
    ).not.toBeInTheDocument();
    await userEvent.click(toggle);
    expect(within(tier(1)).getByLabelText(/Unused for/)).toHaveValue('60');
    expect(within(tier(1)).getByLabelText(/Time to answer/)).toHaveValue('14');
    fill(within(tier(1)).getByLabelText(/Unused for/), '90');
    await userEvent.click(screen.getByRole('button', { name: 'Save app' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.saveApp.mock.calls[0][0].tiers[0].autoReclaim).toEqual({
      inactiveDays: 90,
      answerDays: 14,
    });
  });

  it('shows a saved policy and drops it when turned off', async () => {
    const { api, onSaved } = await render({
      initial: appToDraft({
        ...loom,
        tiers: [
          {
            ...loom.tiers[0],
            autoReclaim: { inactiveDays: 45, answerDays: 10 },
          },
        ],
      }),
      isNew: false,
      savedListed: false,
    });
    expect(await within(tier(1)).findByLabelText(/Unused for/)).toHaveValue(
      '45',
    );
    expect(within(tier(1)).getByLabelText(/Time to answer/)).toHaveValue('10');
    await userEvent.click(
      within(tier(1)).getByRole('checkbox', { name: 'Auto-reclaim' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save app' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.saveApp.mock.calls[0][0].tiers[0]).not.toHaveProperty(
      'autoReclaim',
    );
  });

  it('refuses auto-reclaim days outside what the backend accepts', async () => {
    const { api } = await render({
      initial: appToDraft(loom),
      isNew: false,
      savedListed: false,
    });
    await userEvent.click(
      await within(tier(1)).findByRole('checkbox', { name: 'Auto-reclaim' }),
    );
    fill(within(tier(1)).getByLabelText(/Unused for/), '3');
    fill(within(tier(1)).getByLabelText(/Time to answer/), '0');
    await userEvent.click(screen.getByRole('button', { name: 'Save app' }));
    expect(
      within(tier(1)).getByLabelText(/Unused for/),
    ).toHaveAccessibleDescription(
      'Unused for: a whole number of days from 7 to 730',
    );
    expect(
      within(tier(1)).getByLabelText(/Time to answer/),
    ).toHaveAccessibleDescription(
      'Time to answer: a whole number of days from 1 to 90',
    );
    expect(api.saveApp).not.toHaveBeenCalled();
  });
});
