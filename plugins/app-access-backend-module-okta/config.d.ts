export interface Config {
  appAccess?: {
    /**
     * Okta fulfillment: tiers of type okta-group / okta-app are granted by
     * adding the requester to a group or assigning them to an app. Leave the
     * block out to keep the module off. Set exactly one of apiToken or oauth.
     * See docs/okta.md.
     */
    okta?: {
      /**
       * The org URL, e.g. https://acme.okta.com (not the -admin console URL).
       * Must be https; http is accepted for localhost only (tests).
       */
      orgUrl: string;
      /**
       * An Okta API token (SSWS), without the "SSWS " prefix. It acts with
       * the rights of the admin who created it.
       * @visibility secret
       */
      apiToken?: string;
      /** An API Services app with a public/private key pair (recommended). */
      oauth?: {
        /** The service app's client ID. */
        clientId: string;
        /**
         * The private key whose public half is registered on the service
         * app, as PEM or as a JWK (JSON).
         * @visibility secret
         */
        privateKey: string;
        /** The key's kid as shown in Okta; needed when the app has several keys. */
        keyId?: string;
        /**
         * Scopes to ask for, as a list or a space-separated string.
         * Default: okta.users.read okta.groups.manage okta.apps.manage
         */
        scopes?: string[] | string;
      };
      /**
       * How long to follow an app assignment until Okta reports the account
       * provisioned (status PROVISIONED or ACTIVE). Default 10.
       */
      provisioningTimeoutMinutes?: number;
      /** How often the follow-up reads provisioning status again. Default 30. */
      pollSeconds?: number;
      /** Timeout of one call to Okta. Default 30. */
      requestTimeoutSeconds?: number;
    };
  };
}
