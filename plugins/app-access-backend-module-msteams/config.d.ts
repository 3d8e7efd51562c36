export interface Config {
  appAccess?: {
    /**
     * Microsoft Teams: approval requests, reminders, decisions and status
     * changes are posted as Adaptive Cards to one channel through a Teams
     * Workflows webhook. Leave out to turn Teams off.
     */
    msteams?: {
      /**
       * URL of the Workflows webhook ("Post to a channel when a webhook
       * request is received"). Anyone with it can post to the channel: treat
       * it as a secret.
       * @visibility secret
       */
      webhookUrl: string;
    };
  };
}
