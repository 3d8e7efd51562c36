import express from 'express';
import Router from 'express-promise-router';
import { InputError } from '@backstage/errors';
import { LoggerService } from '@backstage/backend-plugin-api';
import { BotTokenVerifier, VerifiedChannelToken } from './BotTokenVerifier';
import { TeamsActivity, TeamsBotHandler } from './TeamsBotHandler';

/** Mounted under /api/app-access; the bot's messaging endpoint. */
export const MESSAGES_PATH = '/msteams/messages';

export async function createTeamsBotRouter(options: {
  verifier: BotTokenVerifier;
  handler: TeamsBotHandler;
  logger: LoggerService;
}): Promise<express.Router> {
  const { verifier, handler, logger } = options;
  const router = Router();

  // The token is verified before the body is even received.
  const verified = new WeakMap<express.Request, VerifiedChannelToken>();
  router.post(
    MESSAGES_PATH,
    async (req, _res, next) => {
      verified.set(req, await verifier.verify(req.header('authorization')));
      next();
    },
    express.raw({ type: () => true, limit: '1mb' }),
    async (req, res) => {
      const token = verified.get(req)!;
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let activity: TeamsActivity;
      try {
        activity = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new InputError('body: expected a JSON Bot Framework activity');
      }
      if (
        !activity ||
        typeof activity !== 'object' ||
        Array.isArray(activity)
      ) {
        throw new InputError('body: expected a JSON Bot Framework activity');
      }
      if (typeof activity.type !== 'string') {
        throw new InputError('type: every activity needs a type');
      }
      verifier.checkServiceUrl(token, activity.serviceUrl);
      verifier.checkChannel(token, activity.channelId);
      const started = Date.now();
      const response = await handler.handle(activity);
      const took = Date.now() - started;
      if (took > 4000) {
        logger.warn(`Teams activity took ${took} ms; Teams gives up after 5 s`);
      }
      if (response.body === undefined) res.status(response.status).end();
      else res.status(response.status).json(response.body);
    },
  );

  return router;
}
