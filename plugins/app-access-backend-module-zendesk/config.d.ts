export interface Config {
  appAccess?: {
    /**
     * Zendesk ticketing (module
     * @app-access/plugin-app-access-backend-module-zendesk). Without this
     * section the module logs that it is off and registers nothing. It files
     * tickets only while `appAccess.ticketing.system` (or the settings page)
     * says `zendesk`. See docs/zendesk.md.
     */
    zendesk?: {
      /**
       * Zendesk subdomain: acme for acme.zendesk.com. Ticket links point to
       * https://<subdomain>.zendesk.com/agent/tickets/<id>. Set this or
       * endpointUri.
       */
      subdomain?: string;
      /**
       * API base URL instead of the subdomain (host-mapped or proxied
       * accounts); must end in /api/v2.
       */
      endpointUri?: string;
      /** Email of the agent whose API token is used. */
      email: string;
      /**
       * Zendesk API token (Admin Center → Apps and integrations → Zendesk API).
       * @visibility secret
       */
      apiToken: string;
      /**
       * Numeric id of the group tickets are assigned to, as a string (e.g.
       * '360001234567'). Optional; the admin settings page may override it.
       */
      groupId?: string;
      /**
       * Tags put on every ticket. Default: ['app-access']. The admin settings
       * page may override them.
       */
      tags?: string[];
      /** How often open tickets are checked, in minutes. Default: 10. */
      followEveryMinutes?: number;
      /** Timeout of one call to Zendesk, in seconds. Default: 30. */
      timeoutSeconds?: number;
    };
  };
}
