import { fireEvent, screen, waitFor } from '@testing-library/react';
import { createFakeApi } from '../../__testUtils__/createFakeApi';
import { renderInPlugin } from '../../__testUtils__/renderInPlugin';
import { MyAccessPage } from './MyAccessPage';

describe('MyAccessPage', () => {
  it('lists what the user holds with since, until and how; Remove gives it back', async () => {
    const api = createFakeApi();
    await renderInPlugin(<MyAccessPage />, { api });
    expect(await screen.findByText('PagerDuty')).toBeInTheDocument();
    expect(screen.getByText('Slack')).toBeInTheDocument();
    expect(screen.getByText('Until you remove it')).toBeInTheDocument();
    expect(screen.getByText('Okta group')).toBeInTheDocument();
    // Only the time-bound grant can be extended.
    expect(screen.getAllByRole('button', { name: 'Extend' })).toHaveLength(1);
    fireEvent.click(screen.getAllByRole('button', { name: 'Remove' })[0]);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Remove my access' }),
    );
    await waitFor(() =>
      expect(api.removeAccess).toHaveBeenCalledWith('g-pagerduty'),
    );
    expect(await screen.findByText(/is being removed/)).toBeInTheDocument();
  });

  it('asks for a reason before filing an extension', async () => {
    const api = createFakeApi();
    await renderInPlugin(<MyAccessPage />, { api });
    fireEvent.click(await screen.findByRole('button', { name: 'Extend' }));
    fireEvent.click(
      await screen.findByRole('button', { name: 'Request extension' }),
    );
    expect(await screen.findByText(/Say why you need it/)).toBeInTheDocument();
    expect(api.extendAccess).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Why do you need it longer?'), {
      target: { value: 'Another on-call week' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Request extension' }));
    await waitFor(() =>
      expect(api.extendAccess).toHaveBeenCalledWith('g-pagerduty', {
        durationDays: 1,
        justification: 'Another on-call week',
      }),
    );
  });
});
