export interface Config {
  appAccess?: {
    /**
     * Email for App Access: approvers get a message with Approve and Deny
     * links, requesters hear about every step, and `ticketing.system: email`
     * files tickets by email (email-to-ticket help desks such as
     * Freshservice). Leave out to turn email off.
     */
    email?: {
      /** The SMTP server (relay) messages are sent through. */
      smtp: {
        /** Host name or IP address of the SMTP server. */
        host: string;
        /** Port of the SMTP server. Default: 465 when `secure` is true, else 587. */
        port?: number;
        /**
         * true for implicit TLS (usually port 465); false to start in plain
         * text and upgrade with STARTTLS when the server offers it. Default:
         * false.
         */
        secure?: boolean;
        /** Refuse to send unless the server upgrades the connection with STARTTLS. Default: false. */
        requireTLS?: boolean;
        /**
         * Never upgrade with STARTTLS, even when offered. Only for local test
         * relays. Default: false.
         */
        ignoreTLS?: boolean;
        /** Credentials, when the server requires authentication. */
        auth?: {
          /** User name for SMTP AUTH. */
          user: string;
          /**
           * Password (or app password / API key) for SMTP AUTH.
           * @visibility secret
           */
          pass: string;
        };
      };
      /**
       * DKIM signing of every outgoing message. Publish the public key as a
       * TXT record at `<keySelector>._domainkey.<domainName>`.
       */
      dkim?: {
        /** Signing domain (d=), normally the domain of `from.address`. */
        domainName: string;
        /** Selector (s=): the DNS label the public key is published under. */
        keySelector: string;
        /**
         * RSA private key in PEM format. `\n` escapes (from environment
         * variables) are turned into line breaks.
         * @visibility secret
         */
        privateKey: string;
      };
      /**
       * Sender of every message. Admins may override both on the App Access
       * settings page. Branding (title, logo, accent colour) comes from
       * `appAccess.branding`, declared by the App Access backend.
       */
      from: {
        /** Display name, e.g. "Acme IT". Default: the branding title, else "App Access". */
        name?: string;
        /** Address messages come from, e.g. it-apps@acme.example. */
        address: string;
      };
      /** Days an Approve / Deny link stays usable. Default: 7. */
      tokenTtlDays?: number;
      /**
       * Help-desk address that turns email into tickets (email-to-ticket).
       * Used when the ticketing system is `email`. Admins may override it on
       * the App Access settings page.
       */
      ticketAddress?: string;
    };
  };
}
