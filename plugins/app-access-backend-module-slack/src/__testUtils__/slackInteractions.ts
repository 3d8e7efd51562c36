import { createHmac } from 'node:crypto';
import { FakeSlackMessage } from '../testing/FakeSlackApi';

/**
 * What Slack sends to an interactivity request URL: a form body with one
 * `payload` field holding the JSON, signed with the app's signing secret.
 */
export type SignedInteraction = {
  body: string;
  headers: Record<string, string>;
};

export function interactionBody(payload: object): string {
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Signs a form body as Slack does (`v0=` + hex HMAC-SHA256 of `v0:<ts>:<body>`). */
export function signBody(
  signingSecret: string,
  body: string,
  options: { timestamp?: number } = {},
): SignedInteraction {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', signingSecret)
    .update(`v0:${timestamp}:${body}`)
    .digest('hex')}`;
  return {
    body,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': timestamp,
      'X-Slack-Signature': signature,
    },
  };
}

/** A signed interaction request carrying `payload`. */
export function signInteraction(
  signingSecret: string,
  payload: object,
  options: { timestamp?: number } = {},
): SignedInteraction {
  return signBody(signingSecret, interactionBody(payload), options);
}

let triggerSeq = 0;

/** The block_actions payload of a click on one of a message's buttons. */
export function buttonClick(options: {
  slackUserId: string;
  message: FakeSlackMessage;
  actionId: string;
}) {
  const button = (options.message.blocks ?? [])
    .filter((b: any) => b.type === 'actions')
    .flatMap((b: any) => b.elements)
    .find((e: any) => e.action_id === options.actionId);
  if (!button) {
    throw new Error(
      `The message has no '${options.actionId}' button: ${options.message.text}`,
    );
  }
  triggerSeq += 1;
  return {
    type: 'block_actions',
    user: {
      id: options.slackUserId,
      username: options.slackUserId,
      team_id: 'T0FAKE',
    },
    api_app_id: 'A0FAKE',
    token: 'deprecated-verification-token',
    team: { id: 'T0FAKE', domain: 'acme' },
    container: {
      type: 'message',
      message_ts: options.message.ts,
      channel_id: options.message.channel,
      is_ephemeral: false,
    },
    trigger_id: `${triggerSeq}.1234.fake-trigger`,
    channel: { id: options.message.channel, name: 'directmessage' },
    message: {
      ts: options.message.ts,
      text: options.message.text,
      blocks: options.message.blocks,
    },
    response_url: 'https://hooks.slack.com/actions/T0FAKE/1/fake',
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: 'app_access_decision',
        value: button.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/** The view_submission payload of a modal opened with views.open. */
export function viewSubmission(options: {
  slackUserId: string;
  view: any;
  values: Record<string, Record<string, string>>;
}) {
  const values: Record<
    string,
    Record<string, { type: string; value: string }>
  > = {};
  for (const [blockId, actions] of Object.entries(options.values)) {
    values[blockId] = {};
    for (const [actionId, value] of Object.entries(actions)) {
      values[blockId][actionId] = { type: 'plain_text_input', value };
    }
  }
  return {
    type: 'view_submission',
    user: { id: options.slackUserId, team_id: 'T0FAKE' },
    team: { id: 'T0FAKE', domain: 'acme' },
    api_app_id: 'A0FAKE',
    view: { id: 'V0FAKE', ...options.view, state: { values } },
  };
}
