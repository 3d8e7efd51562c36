export interface Config {
  /** Configuration of the App Access plugin. */
  appAccess?: {
    catalog?: {
      /**
       * App catalog seed files, imported at start-up. Their format is the
       * JSON Schema seed-schema.json in this package; examples/apps.example.yaml
       * there is a small example. Re-importing never duplicates an app and never overwrites
       * what an admin changed in the portal. Relative paths are resolved from
       * the backend's working directory.
       */
      seedFiles?: string[];
    };
    approvals?: {
      /**
       * Channel approvers are asked in by default. Default: portal.
       * @visibility frontend
       */
      method?: 'slack' | 'email' | 'msteams' | 'portal';
      /**
       * Approvers used when a tier's policy names none (entity refs of users
       * or groups).
       */
      defaultApprovers?: string[];
      /**
       * Asked only when none of a level's approvers can be reached (entity
       * ref of a user or group).
       */
      fallbackApprover?: string;
    };
    reminders?: {
      /** Hours a task waits before the first reminder, and between reminders. Default: 24. */
      intervalHours?: number;
      /** At most this many reminders per approval task. Default: 3. */
      maxCount?: number;
      /** How often the reminder task runs, in minutes. Default: 15. */
      checkEveryMinutes?: number;
    };
    ticketing?: {
      /** The one ticketing system in use. Default: manual. */
      system?: 'jira' | 'zendesk' | 'email' | 'manual';
      /**
       * Also file a record ticket in the ticketing system for every request
       * fulfilled through Okta. Default: false.
       */
      auditTickets?: boolean;
    };
    peers?: {
      /** "Similar role" means the same title or the same department. Default: title. */
      roleBasis?: 'title' | 'department';
      /**
       * Whose names peer usage may show: none (counts only), team (names of
       * teammates, counts for the rest) or all. Default: team.
       */
      showNames?: 'none' | 'team' | 'all';
    };
    usage?: {
      /**
       * Demo usage data (format of examples/usage.yaml) imported at start-up,
       * for portals without a directory sync. Relative to the working directory.
       */
      seedFiles?: string[];
      /**
       * How often the usage insight snapshot task runs, in minutes (default
       * 60). It writes one snapshot per UTC day, whichever run comes first.
       */
      snapshotEveryMinutes?: number;
    };
    directory?: {
      /** How often people and groups are copied from the catalog, in minutes. Default: 30. */
      syncEveryMinutes?: number;
    };
    /** Co-branding of the App Access pages and messages. */
    branding?: {
      /**
       * Title shown on the App Access pages. Default: Apps.
       * @visibility frontend
       */
      title?: string;
      /**
       * Logo shown on the App Access pages and in emails.
       * @visibility frontend
       */
      logoUrl?: string;
      /**
       * Accent colour (hex) for the App Access pages and emails.
       * @visibility frontend
       */
      accentColor?: string;
    };
    database?: {
      /**
       * On PostgreSQL, keep the reads every catalog page makes (the caller
       * with their groups; peer counts with the caller's requests) as named
       * prepared statements on each pooled connection, planned once instead
       * of on every request. Turn off behind a connection pooler that does not
       * keep prepared statements (PgBouncer before 1.21 in transaction
       * mode). Default: true.
       */
      preparedStatements?: boolean;
      /**
       * How long start-up waits for another replica's schema migration
       * (the knex migration lock) before failing, in seconds. Default: 120.
       */
      migrationLockTimeoutSeconds?: number;
    };
    access?: {
      /**
       * Days before access ends that its holder is told (with an Extend link). 0 turns the notice
       * off. Admins can change it on the settings page. Default: 3.
       */
      expiryNoticeDays?: number;
      /**
       * The default duration of time-bound access, in days; not longer than maxDurationDays. The request
       * form preselects it (capped by the tier's maximum); with maxDurationDays set, a request that names
       * no duration gets it. Admins can change it on the settings page.
       */
      defaultDurationDays?: number;
      /**
       * The longest any access is granted for, in days: caps each tier's own maximum (a request or
       * extension for longer is refused with 400 naming durationDays), and "until I remove it" is no
       * longer offered: a request without a duration gets defaultDurationDays (else this maximum).
       * Admins can change it on the settings page. Default: none.
       */
      maxDurationDays?: number;
      /**
       * How often the expiry pass runs (removes access whose end has passed, sends the notices),
       * in minutes. Default: 15. A pass that does not finish (its replica died) blocks the next for this long, at least 1 and at most 10 minutes.
       */
      checkEveryMinutes?: number;
    };
    campaigns?: {
      /**
       * How often the reclamation campaigns' pass runs (reminders, the deadline, removals finished),
       * in minutes. Default: 15.
       */
      checkEveryMinutes?: number;
      /**
       * Days before a campaign's deadline that holders who have not answered are reminded, one
       * reminder per entry. Default: [3, 1].
       */
      reminderDays?: number[];
    };
    requests?: {
      /**
       * Who a person may request access for besides themselves: nobody (off),
       * their direct reports (the catalog's manager relation) or anyone.
       * The approvals follow the person who gets the access. Admins can change
       * it on the settings page. Default: reports.
       * @visibility frontend
       */
      onBehalf?: 'off' | 'reports' | 'anyone';
    };
    intake?: {
      /**
       * Open requests for apps not in the catalog (intake) one person may have at once; one more is
       * refused with 409 until IT has answered or the person cancelled one. Default: 5.
       */
      maxOpenPerPerson?: number;
    };
    outbox?: {
      /**
       * Hours a job may keep failing before it is marked dead and shown to
       * admins. Counted from its first failure; a vendor's "retry later"
       * (429 with Retry-After) and a re-claim after a crashed worker do not
       * count as failures. Default: 24.
       */
      giveUpAfterHours?: number;
      /**
       * Optional hard cap on failed attempts before a job is marked dead; unset,
       * only giveUpAfterHours and permanent errors end retrying. Default: unset.
       */
      maxAttempts?: number;
      /** First retry delay in seconds; doubles each attempt (with jitter). Default: 5. */
      baseDelaySeconds?: number;
      /** Longest retry delay in seconds. Default: 3600. */
      maxDelaySeconds?: number;
      /** How often an idle worker polls for due jobs, in milliseconds. Default: 1000. */
      pollIntervalMs?: number;
      /**
       * Lease of a claimed job in seconds. The worker renews it every third of
       * the lease while the job runs; a job whose worker vanished is claimed
       * again once it runs out. Default: 120.
       */
      leaseSeconds?: number;
      /**
       * Jobs one backend replica runs at the same time, of any kind (fulfilment
       * jobs waiting for a vendor's rate-limit window hold theirs). Default: 4.
       */
      concurrency?: number;
      /**
       * Notices one backend replica may send at the same time on top of
       * `concurrency`, in slots only notices use, so a slow or rate-limited
       * vendor cannot hold them back. 0 turns the lane off. Default: 2.
       */
      noticeConcurrency?: number;
      /**
       * On shutdown, seconds running jobs may take to finish before they are
       * handed back to the other replicas (no attempt charged). Default: 10.
       */
      shutdownGraceSeconds?: number;
    };
  };
}
