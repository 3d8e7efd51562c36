import { fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  createFakeApi,
  renderInPlugin,
  responseError,
} from '../../__testUtils__';
import { IntakeDialog } from './IntakeDialog';

const render = (api = createFakeApi(), onClose = jest.fn()) =>
  renderInPlugin(<IntakeDialog open onClose={onClose} initialName="Lin" />, {
    api,
  });

describe('IntakeDialog', () => {
  it('requires a name and a reason', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.clear(screen.getByLabelText(/App name/));
    await userEvent.click(screen.getByRole('button', { name: 'Send request' }));

    expect(screen.getByText('Name the app you need')).toBeInTheDocument();
    expect(screen.getByText('Tell IT why you need it')).toBeInTheDocument();
    expect(api.createIntake).not.toHaveBeenCalled();
  });

  it('sends the request and opens it', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.type(screen.getByLabelText(/App name/), 'ear');
    await userEvent.type(
      screen.getByLabelText('Website'),
      'https://linear.app',
    );
    await userEvent.type(
      screen.getByLabelText(/Why do you need it/),
      'Our team tracks issues there',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Send request' }));

    expect(
      await screen.findByText('Now at /apps/requests/req-intake-new'),
    ).toBeInTheDocument();
    expect(api.createIntake).toHaveBeenCalledWith({
      name: 'Linear',
      url: 'https://linear.app',
      vendor: undefined,
      justification: 'Our team tracks issues there',
    });
  });

  it('puts the server’s message under the field it is about', async () => {
    const api = createFakeApi({
      createIntake: jest.fn(async () => {
        throw responseError(400, 'InputError', 'url: must be an http(s) URL');
      }),
    });
    await render(api);

    await userEvent.type(screen.getByLabelText('Website'), 'linear');
    await userEvent.type(screen.getByLabelText(/Why do you need it/), 'Issues');
    await userEvent.click(screen.getByRole('button', { name: 'Send request' }));

    expect(
      await screen.findByText('Must be an http(s) URL'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Website')).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(screen.getByRole('button', { name: 'Send request' })).toBeEnabled();
  });

  it('closes on cancel', async () => {
    const onClose = jest.fn();
    await render(createFakeApi(), onClose);

    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));

    expect(onClose).toHaveBeenCalled();
  });
});

describe('IntakeDialog, typed as people type', () => {
  it('starts with the cursor in the app name', async () => {
    await render();

    expect(screen.getByLabelText(/App name/)).toHaveFocus();
  });

  it('accepts a bare domain and sends it as an https address', async () => {
    const api = createFakeApi();
    await render(api);

    await userEvent.type(screen.getByLabelText('Website'), 'excalidraw.com');
    await userEvent.type(screen.getByLabelText(/Why do you need it/), 'Draw');
    await userEvent.click(screen.getByRole('button', { name: 'Send request' }));

    expect(
      await screen.findByText('Now at /apps/requests/req-intake-new'),
    ).toBeInTheDocument();
    expect(api.createIntake).toHaveBeenCalledWith(
      expect.objectContaining({ url: 'https://excalidraw.com' }),
    );
  });

  it('counts the reason against its limit and refuses one that is too long', async () => {
    const api = createFakeApi();
    await render(api);

    const why = screen.getByLabelText(/Why do you need it/);
    expect(screen.getByText('0 / 4000')).toBeInTheDocument();
    await userEvent.type(why, 'Sketches');
    expect(screen.getByText('8 / 4000')).toBeInTheDocument();

    fireEvent.change(why, { target: { value: 'x'.repeat(4010) } });
    expect(screen.getByText('4010 / 4000')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Send request' }));

    expect(
      screen.getByText(
        'Too long: 4010 characters, the limit is 4000. Shorten it by 10.',
      ),
    ).toBeInTheDocument();
    expect(why).toHaveAttribute('aria-invalid', 'true');
    expect(api.createIntake).not.toHaveBeenCalled();
  });
});

describe('IntakeDialog server messages', () => {
  it('says what is wrong with a refused address in words', async () => {
    const api = createFakeApi({
      createIntake: jest.fn(async () => {
        throw responseError(400, 'InputError', 'intake.url: Invalid url');
      }),
    });
    await render(api);

    await userEvent.type(screen.getByLabelText('Website'), 'ex ample');
    await userEvent.type(screen.getByLabelText(/Why do you need it/), 'Draw');
    await userEvent.click(screen.getByRole('button', { name: 'Send request' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Web address: Not a web address: enter one like https://example.com',
    );
    expect(screen.queryByText(/Invalid url/)).not.toBeInTheDocument();
  });
});
