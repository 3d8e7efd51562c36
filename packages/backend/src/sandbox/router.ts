import express from 'express';
import Router from 'express-promise-router';
import {
  DiscoveryService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { appAccessSettingsManagePermission } from '@app-access/plugin-app-access-common';
import {
  SignedSlackInteraction,
  SignedTeamsActivity,
  VendorSandbox,
} from './VendorSandbox';

/** Where App Access's Slack module listens for interactions (its INTERACTIONS_PATH). */
const SLACK_INTERACTIONS_PATH = '/slack/interactions';
/** The Teams bot's messaging endpoint (the msteams module's MESSAGES_PATH). */
export const TEAMS_MESSAGES_PATH = '/msteams/messages';

/**
 * Posts a signed activity where Teams would: the real msteams module's
 * messaging endpoint, with the sandbox issuer's channel token.
 */
export async function deliverTeamsActivity(
  discovery: DiscoveryService,
  signed: SignedTeamsActivity,
): Promise<{ status: number; response: unknown }> {
  const base = await discovery.getBaseUrl('app-access');
  const res = await fetch(`${base}${TEAMS_MESSAGES_PATH}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${signed.token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(signed.activity),
  });
  const body = await res.text();
  let response: unknown = undefined;
  try {
    response = body ? JSON.parse(body) : undefined;
  } catch {
    response = body;
  }
  return { status: res.status, response };
}

export type SandboxRouterOptions = {
  sandbox: () => VendorSandbox | undefined;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  discovery: DiscoveryService;
  logger: LoggerService;
};

function text(body: unknown, field: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  if (typeof value !== 'string' || !value.trim() || value.length > 200) {
    throw new InputError(`${field}: expected a non-empty string`);
  }
  return value;
}

/**
 * The sandbox page's API (/api/app-access-sandbox): what the fake vendors
 * hold, and what a person would do in them (click a Slack button, submit
 * Slack's dialog, resolve a help-desk ticket). App Access admins only: the
 * mailbox holds everyone's approval links.
 */
export async function createSandboxRouter(
  options: SandboxRouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, discovery, logger } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  const isAdmin = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await permissions.authorize(
      [{ permission: appAccessSettingsManagePermission }],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  };

  // Whether to show the Sandbox page to this person (any signed-in user may ask).
  router.get('/status', async (req, res) => {
    const admin = await isAdmin(req);
    res.json({ enabled: Boolean(options.sandbox()), admin });
  });

  router.use(async (req, _res, next) => {
    if (!(await isAdmin(req))) {
      throw new NotAllowedError('The vendor sandbox is for App Access admins');
    }
    next();
  });

  const sandbox = () => {
    const running = options.sandbox();
    if (!running) {
      throw new NotFoundError(
        'The vendor sandbox is off (appAccess.sandbox.enabled in app-config.yaml)',
      );
    }
    return running;
  };

  /** Sends a signed interaction where Slack would: the real Slack module's endpoint. */
  const deliver = async (interaction: SignedSlackInteraction) => {
    const base = await discovery.getBaseUrl('app-access');
    const res = await fetch(`${base}${SLACK_INTERACTIONS_PATH}`, {
      method: 'POST',
      headers: interaction.headers,
      body: interaction.body,
    });
    const body = await res.text();
    if (res.status >= 400) {
      logger.warn(
        `Sandbox Slack interaction answered ${res.status}: ${body.slice(
          0,
          300,
        )}`,
      );
    }
    let response: unknown = undefined;
    try {
      response = body ? JSON.parse(body) : undefined;
    } catch {
      response = body;
    }
    return { status: res.status, response };
  };

  router.get('/state', async (_req, res) => {
    res.json(sandbox().state());
  });

  router.post('/slack/click', async (req, res) => {
    const interaction = sandbox().buttonClick(
      text(req.body, 'channel'),
      text(req.body, 'ts'),
      text(req.body, 'actionId'),
    );
    if (!interaction) {
      throw new NotFoundError('No such Slack message or button in the sandbox');
    }
    res.json(await deliver(interaction));
  });

  router.post('/slack/views/:viewId/submit', async (req, res) => {
    const values = (req.body as { values?: unknown })?.values;
    if (!values || typeof values !== 'object' || Array.isArray(values)) {
      throw new InputError('values: expected an object of block id → text');
    }
    for (const [key, value] of Object.entries(values)) {
      if (typeof value !== 'string' || value.length > 3000) {
        throw new InputError(`values.${key}: expected text`);
      }
    }
    const interaction = sandbox().submitModal(
      req.params.viewId,
      values as Record<string, string>,
    );
    if (!interaction) {
      throw new NotFoundError('No such open Slack dialog in the sandbox');
    }
    res.json(await deliver(interaction));
  });

  router.post('/teams/click', async (req, res) => {
    const messageId = text(req.body, 'messageId');
    const verb = text(req.body, 'verb');
    const inputs = (req.body as { inputs?: unknown }).inputs ?? {};
    if (typeof inputs !== 'object' || Array.isArray(inputs)) {
      throw new InputError('inputs: expected an object of input id → text');
    }
    for (const [key, value] of Object.entries(inputs)) {
      if (typeof value !== 'string' || value.length > 3000) {
        throw new InputError(`inputs.${key}: expected text`);
      }
    }
    const running = sandbox();
    const click = await running.teamsClick(
      messageId,
      verb,
      inputs as Record<string, string>,
    );
    if (!click) {
      throw new NotFoundError('No such Teams message or button in the sandbox');
    }
    const result = await deliverTeamsActivity(discovery, click);
    if (result.status >= 400) {
      logger.warn(
        `Sandbox Teams invoke answered ${result.status}: ${JSON.stringify(
          result.response,
        ).slice(0, 300)}`,
      );
    } else {
      running.showInvokeResponse(messageId, result.response);
    }
    res.json(result);
  });

  router.post('/tickets/:system/:id/resolve', async (req, res) => {
    const { system, id } = req.params;
    if (system !== 'jira' && system !== 'zendesk') {
      throw new InputError('system: expected jira or zendesk');
    }
    if (!sandbox().resolveTicket(system, id)) {
      throw new NotFoundError(`No ${system} ticket ${id} in the sandbox`);
    }
    res.status(204).end();
  });

  return router;
}
