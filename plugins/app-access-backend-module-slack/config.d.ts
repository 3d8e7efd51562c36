export interface Config {
  appAccess?: {
    /**
     * Slack approvals: approvers get a direct message with Approve and Deny
     * buttons, requesters hear about decisions. Leave out to turn Slack off.
     */
    slack?: {
      /**
       * Bot User OAuth Token of the Slack app (xoxb-...). Scopes: chat:write,
       * im:write, users:read, users:read.email, im:history (channels:history with a channel).
       * @visibility secret
       */
      botToken: string;
      /**
       * Signing secret of the Slack app (Basic Information page); every
       * request Slack sends to /api/app-access/slack/interactions is checked
       * against it. Required unless socketMode is set.
       * @visibility secret
       */
      signingSecret?: string;
      /**
       * Channel id (e.g. C0123456789) where new requests and decisions are
       * also posted, without buttons. The bot must be a member.
       */
      channel?: string;
      /**
       * Base URL of the Slack Web API, ending in /api/. Default:
       * https://slack.com/api/. For tests and egress proxies.
       */
      apiUrl?: string;
      /**
       * Socket Mode: Slack delivers button clicks over a WebSocket the
       * backend opens, so the backend needs no public request URL. When set,
       * signingSecret may be left out (the HTTP endpoint is then not mounted).
       */
      socketMode?: {
        /**
         * App-level token (xapp-...) with the connections:write scope.
         * @visibility secret
         */
        appToken: string;
      };
    };
  };
}
