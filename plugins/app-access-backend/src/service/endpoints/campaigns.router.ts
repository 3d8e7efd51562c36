import { CampaignService } from '../../services/CampaignService';
import { callOf } from '../accessGuard';
import { AppAccessRouter, EndpointContext } from './types';

/** Reclamation campaigns: admins run them, holders answer. */
export function bindCampaignEndpoints(
  router: AppAccessRouter,
  context: EndpointContext,
  campaigns: CampaignService,
) {
  router.get('/admin/campaigns/preview', async (req, res) => {
    res.json(
      await campaigns.preview({
        appId: req.query.appId,
        tierId: req.query.tierId,
        inactiveDays: req.query.inactiveDays,
        limit: req.query.limit,
      }),
    );
  });

  router.get('/admin/campaigns', async (_req, res) => {
    res.json(await campaigns.list());
  });

  router.post('/admin/campaigns', async (req, res) => {
    const { caller } = callOf(res);
    const created = await context.audited(
      req,
      'campaign-start',
      {
        appId: req.body.appId,
        ...(req.body.tierId ? { tierId: req.body.tierId } : {}),
        inactiveDays: req.body.inactiveDays,
      },
      () => campaigns.start(caller, req.body),
    );
    res.status(201).json(created);
  });

  router.get('/admin/campaigns/:id', async (req, res) => {
    res.json(await campaigns.get(req.params.id));
  });

  router.get('/admin/campaigns/:id/questions', async (req, res) => {
    res.json(
      await campaigns.questions(req.params.id, {
        status: req.query.status,
        limit: req.query.limit,
        offset: req.query.offset,
      }),
    );
  });

  router.post('/admin/campaigns/:id/cancel', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'campaign-cancel',
        { campaignId: req.params.id },
        () => campaigns.cancel(caller, req.params.id),
      ),
    );
  });

  router.post('/admin/campaigns/:id/end', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'campaign-end',
        { campaignId: req.params.id },
        () => campaigns.end(caller, req.params.id),
      ),
    );
  });

  router.post('/reclaim-questions/:id/answer', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await context.audited(
        req,
        'reclaim-answer',
        { questionId: req.params.id, answer: req.body.answer },
        () => campaigns.answer(caller, req.params.id, req.body),
      ),
    );
  });
}
