export interface Config {
  appAccess?: {
    permissions?: {
      /**
       * Groups whose members are App Access admins: they alone are granted the
       * app-access.* permissions (settings, apps, every request, audit trail)
       * by the App Access permission policy. Read at every decision, so a
       * config reload applies at once. Default: group:default/it-admins.
       */
      adminGroups?: string[];
    };
  };
}
