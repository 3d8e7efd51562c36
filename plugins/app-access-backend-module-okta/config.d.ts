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
      /**
       * The Okta group ids App Access may add people to (tiers of type
       * okta-group). Saving a tier with another group is refused (400), and
       * so is fulfilling one saved earlier. Left out: any group, with a
       * warning in the log and on the settings page; an empty list: none.
       * Keep admin groups out of it: a tier may need no approval.
       */
      allowedGroupIds?: string[];
      /**
       * The Okta app ids App Access may assign people to (tiers of type
       * okta-app), with the same rules as allowedGroupIds.
       */
      allowedAppIds?: string[];
      /**
       * Directory + usage sync: reads Okta users, groups, apps and
       * assignments into App Access (peer usage, "not in catalog" apps).
       * A scheduled task (app-access-okta-sync, one replica at a time).
       * With OAuth, the service app also needs the okta.logs.read scope.
       * See docs/okta.md, "Directory and usage sync".
       */
      sync?: {
        /** Default true (whenever appAccess.okta is configured). */
        enabled?: boolean;
        /** Minutes between runs. Default 60. */
        everyMinutes?: number;
        /**
         * Record each person's last sign-in per app from the System Log
         * (user.authentication.sso events). Default false.
         */
        lastUsed?: boolean;
        /** How far back the first last-sign-in read goes, 1–90. Default 7. */
        lastUsedLookbackDays?: number;
        /**
         * The sync's own cap on requests per minute and endpoint family
         * (users, groups, apps, logs), on top of Okta's limits, which it
         * always follows. Default: none.
         */
        requestsPerMinute?: number;
        /**
         * A full read at least this often; runs in between only read what
         * changed (users by lastUpdated, the System Log). Default 24.
         */
        fullEveryHours?: number;
        /**
         * Percent of each Okta rate-limit window the sync leaves unused, for
         * grants and other Okta clients. 0–90, default 10.
         */
        rateLimitReservePercent?: number;
        /**
         * In each window's last this many seconds the reserve shrinks
         * linearly to nothing, so what no other client used by then is not
         * wasted. 0 keeps the whole reserve to the window's end. 0–60,
         * default 10.
         */
        rateLimitReserveReleaseSeconds?: number;
      };
    };
  };
}
