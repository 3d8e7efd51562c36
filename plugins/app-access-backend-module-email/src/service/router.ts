import express, { NextFunction, Request, Response } from 'express';
import Router from 'express-promise-router';
import { LoggerService } from '@backstage/backend-plugin-api';
import { EmailActions } from '../actions/EmailActions';
import { ActionPages, Page } from '../rendering/ActionPages';
import { ReclaimActions } from '../actions/ReclaimActions';
import { ReclaimPages } from '../rendering/ReclaimPages';

/**
 * The Approve / Deny link routes, mounted under /api/app-access. They are
 * unauthenticated in Backstage terms: the random token in the path is the
 * credential. That also makes them CSRF-free by design: there is no cookie
 * or session a forged cross-site POST could ride on, and without the token
 * such a POST is refused.
 */
export async function createActionsRouter(options: {
  actions: EmailActions;
  /** Pages in the branding in effect now. */
  pages: () => Promise<ActionPages>;
  /** "Keep it" / "Give it back" links of reclamation questions. */
  reclaim?: {
    actions: ReclaimActions;
    pages: () => Promise<ReclaimPages>;
  };
  logger: LoggerService;
}): Promise<express.Router> {
  const { actions, pages, logger, reclaim } = options;
  const router = Router();

  const send = (res: Response, page: Page) => {
    res
      .status(page.status)
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        // Links are credentials: keep them out of caches and Referer headers.
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
        'X-Robots-Tag': 'noindex, nofollow',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy':
          "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      })
      .send(page.html);
  };

  if (reclaim) {
    // Looking never answers: only the page's POST does.
    router.get('/actions/reclaim/:token', async (req, res) => {
      const state = await reclaim.actions.inspect(req.params.token);
      send(res, (await reclaim.pages()).outcome(state));
    });
    router.post(
      '/actions/reclaim/:token',
      express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 5 }),
      async (req, res) => {
        const body: Record<string, unknown> = req.body ?? {};
        const reason = body.reason;
        if (reason !== undefined && typeof reason !== 'string') {
          send(res, (await pages()).badForm(400, 'The reason must be text.'));
          return;
        }
        const outcome = await reclaim.actions.confirm(req.params.token, reason);
        send(res, (await reclaim.pages()).outcome(outcome));
      },
    );
  }

  // Mail scanners and link previews open links: GET (and HEAD) only look.
  router.get('/actions/:token', async (req, res) => {
    const state = await actions.inspect(req.params.token);
    send(res, (await pages()).outcome(state));
  });

  router.post(
    '/actions/:token',
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 5 }),
    async (req, res) => {
      const body: Record<string, unknown> = req.body ?? {};
      const comment = body.comment;
      if (comment !== undefined && typeof comment !== 'string') {
        send(res, (await pages()).badForm(400, 'The comment must be text.'));
        return;
      }
      const outcome = await actions.confirm(req.params.token, comment);
      send(res, (await pages()).outcome(outcome));
    },
  );

  // Whatever goes wrong, the approver gets a page, never a stack trace.
  router.use(
    '/actions',
    async (
      error: Error & { status?: number; type?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      let page: Page;
      try {
        const current = await pages();
        if (error.type === 'entity.too.large') {
          page = current.badForm(413, 'The comment is too long.');
        } else if (error.status && error.status >= 400 && error.status < 500) {
          page = current.badForm(
            error.status,
            'The form could not be read. Please try the link again.',
          );
        } else {
          logger.error(`Email action failed: ${error}`);
          page = current.unavailable();
        }
      } catch (pageError) {
        logger.error(
          `Email action failed: ${error}; the error page too: ${pageError}`,
        );
        res
          .status(503)
          .type('text/plain')
          .send('Your decision could not be recorded. Please try again later.');
        return;
      }
      send(res, page);
    },
  );

  return router;
}
