import express from 'express';
import Router from 'express-promise-router';
import { InputError } from '@backstage/errors';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  InteractionPayload,
  SlackInteractionHandler,
} from '../SlackInteractionHandler';
import { SlackRequestVerifier } from './SlackRequestVerifier';

/** Mounted under /api/app-access; Slack's interactivity request URL. */
export const INTERACTIONS_PATH = '/slack/interactions';

export async function createSlackRouter(options: {
  verifier: SlackRequestVerifier;
  handler: SlackInteractionHandler;
  logger: LoggerService;
}): Promise<express.Router> {
  const { verifier, handler, logger } = options;
  const router = Router();

  // The signature covers the exact bytes Slack sent, so the body is kept raw
  // and parsed only after it has been verified.
  router.post(
    INTERACTIONS_PATH,
    express.raw({ type: 'application/x-www-form-urlencoded', limit: '1mb' }),
    async (req, res) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      await verifier.verify({
        signature: req.header('x-slack-signature'),
        timestamp: req.header('x-slack-request-timestamp'),
        rawBody,
      });
      const form = new URLSearchParams(rawBody.toString('utf8'));
      let payload: unknown;
      try {
        payload = JSON.parse(form.get('payload') ?? '');
      } catch {
        throw new InputError(
          'payload: expected the JSON interaction payload Slack sends',
        );
      }
      if (!payload || typeof payload !== 'object') {
        throw new InputError('payload: expected a JSON object');
      }
      // Slack waits 3 seconds: the decision is recorded now, message updates
      // follow through the outbox.
      const started = Date.now();
      const response = await handler.handle(payload as InteractionPayload);
      const took = Date.now() - started;
      if (took > 2500) {
        logger.warn(
          `Slack interaction took ${took} ms; Slack gives up after 3 s`,
        );
      }
      if (response) {
        res.status(200).json(response);
      } else {
        res.status(200).end();
      }
    },
  );

  return router;
}
