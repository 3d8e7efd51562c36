import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { AccessGrant } from '@app-access/plugin-app-access-common';
import {
  createFakeApi,
  FakeAppAccessApi,
  myGrants,
} from '../../__testUtils__/createFakeApi';
import { slackMatches } from '../../__testUtils__/campaigns';
import { responseError } from '../../__testUtils__/responseError';
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

  describe('when a campaign asks "Keep it or give it back?"', () => {
    /** A running Slack campaign in the fakes; My access shows Jane's question. */
    async function asked(): Promise<{
      api: FakeAppAccessApi;
      questionId: string;
    }> {
      const api = createFakeApi();
      const campaign = await api.startCampaign({
        appId: 'slack',
        inactiveDays: 60,
        answerDays: 14,
        grantIds: slackMatches.map(m => m.grantId),
      });
      const questions = await api.listCampaignQuestions(campaign.id);
      const jane = questions.items.find(q => q.grantId === 'g-slack')!;
      api.listMyAccess.mockImplementation(async () => {
        const open = (await api.listCampaignQuestions(campaign.id)).items.find(
          q => q.id === jane.id && q.status === 'asked',
        );
        return {
          items: myGrants.map(
            (g): AccessGrant =>
              g.id === 'g-slack' && open
                ? {
                    ...g,
                    reclaim: {
                      questionId: open.id,
                      campaignId: campaign.id,
                      deadlineAt: open.deadlineAt,
                      inactiveDays: 60,
                      lastSignInAt: open.lastSignInAt,
                      message: 'Licences renew in January',
                    },
                  }
                : g,
          ),
        };
      });
      return { api, questionId: jane.id };
    }

    it('keeps it with a reason, which is required', async () => {
      const { api, questionId } = await asked();
      await renderInPlugin(<MyAccessPage />, { api });
      const banner = await screen.findByRole('region', {
        name: 'Slack Member: keep it or give it back?',
      });
      expect(banner).toHaveTextContent(/Keep it or give it back\? by/);
      expect(banner).toHaveTextContent(
        'From your admins: Licences renew in January',
      );
      // The row says it too, and offers the answers instead of Remove.
      const row = screen.getAllByText('Slack')[0].closest('tr')!;
      expect(
        within(row).getByText(/Keep it or give it back\?/),
      ).toBeInTheDocument();
      expect(within(row).queryByRole('button', { name: 'Remove' })).toBeNull();

      fireEvent.click(
        within(banner).getByRole('button', { name: 'Keep Slack Member' }),
      );
      const dialog = await screen.findByRole('dialog', {
        name: 'Keep Slack Member?',
      });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
      expect(
        await within(dialog).findByText(/Say why you still need it/),
      ).toBeInTheDocument();
      expect(api.answerReclaimQuestion).not.toHaveBeenCalled();
      fireEvent.change(
        within(dialog).getByLabelText('Why do you still need it?'),
        {
          target: { value: 'I run the support rota' },
        },
      );
      fireEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
      await waitFor(() =>
        expect(api.answerReclaimQuestion).toHaveBeenCalledWith(questionId, {
          answer: 'keep',
          reason: 'I run the support rota',
        }),
      );
      expect(
        await screen.findByText(
          'You keep Slack Member. Thanks for saying why.',
        ),
      ).toBeInTheDocument();
      // Answered: the question is gone from the page.
      await waitFor(() =>
        expect(
          screen.queryByRole('region', {
            name: 'Slack Member: keep it or give it back?',
          }),
        ).not.toBeInTheDocument(),
      );
    });

    it('gives it back after a confirmation', async () => {
      const { api, questionId } = await asked();
      await renderInPlugin(<MyAccessPage />, { api });
      fireEvent.click(
        (
          await screen.findAllByRole('button', {
            name: 'Give back Slack Member',
          })
        )[0],
      );
      const dialog = await screen.findByRole('dialog', {
        name: 'Give Slack Member back?',
      });
      expect(dialog).toHaveTextContent(
        /Your last sign-in was .*; it is offered back when unused for 60 days/,
      );
      fireEvent.click(
        within(dialog).getByRole('button', { name: 'Give it back' }),
      );
      await waitFor(() =>
        expect(api.answerReclaimQuestion).toHaveBeenCalledWith(questionId, {
          answer: 'release',
          reason: undefined,
        }),
      );
      expect(
        await screen.findByText(
          /Slack Member is given back; it is removed through By IT/,
        ),
      ).toBeInTheDocument();
    });

    it('says in words when the answer comes too late', async () => {
      const { api } = await asked();
      api.answerReclaimQuestion.mockRejectedValueOnce(
        responseError(409, 'ConflictError', 'The deadline has passed'),
      );
      await renderInPlugin(<MyAccessPage />, { api });
      fireEvent.click(
        (
          await screen.findAllByRole('button', {
            name: 'Give back Slack Member',
          })
        )[0],
      );
      const dialog = await screen.findByRole('dialog');
      fireEvent.click(
        within(dialog).getByRole('button', { name: 'Give it back' }),
      );
      expect(
        await within(dialog).findByText(
          'Your answer was not taken: The deadline has passed',
        ),
      ).toBeInTheDocument();
    });
  });
});
