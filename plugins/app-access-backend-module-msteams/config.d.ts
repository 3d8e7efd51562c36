export interface Config {
  appAccess?: {
    /**
     * Microsoft Teams. `bot`: approvers decide in a 1:1 chat with the App
     * Access bot and requesters hear about their requests there.
     * `webhookUrl`: requests, decisions and status changes are also (or
     * only) posted to one channel through a Workflows webhook, without
     * buttons. Set at least one; leave the block out to turn Teams off.
     */
    msteams?: {
      /**
       * URL of the Workflows webhook ("Post to a channel when a webhook
       * request is received"). Anyone with it can post to the channel: treat
       * it as a secret.
       * @visibility secret
       */
      webhookUrl?: string;
      /** The Teams bot (Azure Bot resource + Entra app registration). */
      bot?: {
        /** Application (client) ID of the bot's Entra app registration (a GUID). */
        appId: string;
        /**
         * Client secret of the bot's Entra app registration.
         * @visibility secret
         */
        appPassword: string;
        /** Directory (tenant) ID of the Entra tenant (a GUID); the bot is single-tenant. */
        tenantId: string;
        /**
         * Bot Framework OpenID metadata (issuer's signing keys). Default:
         * https://login.botframework.com/v1/.well-known/openidconfiguration.
         * For tests only.
         */
        openIdMetadataUrl?: string;
        /** Issuer of Bot Framework channel tokens. Default: https://api.botframework.com. For tests only. */
        issuer?: string;
        /**
         * Token endpoint for the bot's own tokens. Default:
         * https://login.microsoftonline.com/<tenantId>/oauth2/v2.0/token.
         * For egress proxies and tests.
         */
        tokenUrl?: string;
        /**
         * A User entity annotation that carries the person's Entra ID object
         * id, looked up besides `graph.microsoft.com/user-id` (what the
         * Microsoft Graph org provider writes) before the email is tried.
         */
        objectIdAnnotation?: string;
      };
    };
  };
}
