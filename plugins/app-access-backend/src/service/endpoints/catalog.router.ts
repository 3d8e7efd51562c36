import { AppCatalogService } from '../../services/AppCatalogService';
import { PersonAccessService } from '../../services/PersonAccessService';
import { callOf } from '../accessGuard';
import { AppAccessRouter, cursorParam } from './types';

/** The employee catalog: apps, peers, approver previews, recommendations, categories, statuses. */
export function bindCatalogEndpoints(
  router: AppAccessRouter,
  catalog: AppCatalogService,
  people: PersonAccessService,
) {
  router.get('/apps', async (req, res) => {
    const { caller } = callOf(res);
    res.json(
      await catalog.listApps(caller, {
        q: req.query.q,
        category: req.query.category,
        sort: req.query.sort ?? 'name',
        limit: req.query.limit ?? 50,
        cursor: cursorParam(req.query.cursor),
      }),
    );
  });

  router.get('/on-behalf', async (_req, res) => {
    res.json(await catalog.onBehalfOptions(callOf(res).caller));
  });

  router.get('/apps/:id', async (req, res) => {
    res.json(await catalog.getApp(callOf(res).caller, req.params.id));
  });

  router.get('/apps/:id/peers', async (req, res) => {
    res.json(await catalog.getPeers(callOf(res).caller, req.params.id));
  });

  router.get('/apps/:id/tiers/:tierId/approvers', async (req, res) => {
    res.json(
      await catalog.getApproverPreview(
        callOf(res).caller,
        req.params.id,
        req.params.tierId,
      ),
    );
  });

  // Service callers only (the access guard): the search collator.
  router.get('/index/apps', async (req, res) => {
    res.json(
      await catalog.listIndexed({
        limit: req.query.limit ?? 50,
        cursor: cursorParam(req.query.cursor),
      }),
    );
  });

  // A User page's access card: the person and their manager only.
  router.get('/person-access', async (req, res) => {
    res.json(await people.get(callOf(res).caller, req.query.user));
  });

  router.get('/recommendations', async (req, res) => {
    res.json(
      await catalog.listRecommendations(
        callOf(res).caller,
        req.query.limit ?? 10,
      ),
    );
  });

  router.get('/categories', async (_req, res) => {
    res.json(await catalog.listCategories());
  });
}
