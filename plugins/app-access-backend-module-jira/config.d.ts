export interface Config {
  appAccess?: {
    /**
     * Jira Service Management ticketing (module
     * @app-access/plugin-app-access-backend-module-jira). Without this section
     * the module logs that it is off and registers nothing. It files tickets
     * only while `appAccess.ticketing.system` (or the settings page) says
     * `jira`. See docs/jira.md.
     */
    jira?: {
      /** Site URL, e.g. https://acme.atlassian.net */
      baseUrl: string;
      /**
       * Email of the Atlassian account the API token belongs to. Tickets not
       * raised on a requester's behalf are raised by this account; it must be
       * an agent of the service desk.
       */
      email: string;
      /**
       * API token of that account (id.atlassian.com → Security → API tokens).
       * @visibility secret
       */
      apiToken: string;
      /**
       * Numeric id of the service desk, as a string (e.g. '7'): the number in
       * /jira/servicedesk/projects/KEY/... admin URLs or returned by
       * GET /rest/servicedeskapi/servicedesk. The admin settings page may
       * override it.
       */
      serviceDeskId?: string;
      /**
       * Numeric id of the request type in that service desk, as a string
       * (e.g. '11'). Add the Labels field to it. The admin settings page may
       * override it.
       */
      requestTypeId?: string;
      /** How often open tickets are checked, in minutes. Default: 10. */
      followEveryMinutes?: number;
      /**
       * Resolutions that close a ticket without granting access: the request
       * then fails with the resolution and the ticket's last comment.
       * Default: ["Won't Do", "Declined", "Won't Fix"].
       */
      doneResolutionsWontDo?: string[];
      /** Timeout of one call to Jira, in seconds. Default: 30. */
      timeoutSeconds?: number;
    };
  };
}
