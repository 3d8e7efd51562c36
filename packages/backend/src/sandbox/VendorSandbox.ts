/*
 * The example portal's vendor sandbox: the vendor fakes the modules' tests
 * use (each speaking its vendor's wire format), started inside the example
 * backend and seeded from the example org and catalog, so the REAL modules,
 * configured as usual, have an Okta, a Jira Service Management, a Zendesk, a
 * Slack, a Teams webhook, Microsoft's side of the Teams bot (its token
 * issuer, Entra and the Bot Connector) and an SMTP server to talk to.
 *
 * The fakes live in the modules' src/testing folders, which are not part of
 * the published packages: they are imported here only, lazily, once the
 * sandbox was asked for (see rootConfig.ts).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
/* eslint-disable @backstage/no-forbidden-package-imports */
import type { FakeOkta } from '@app-access/plugin-app-access-backend-module-okta/src/testing/FakeOkta';
import type { FakeJira } from '@app-access/plugin-app-access-backend-module-jira/src/testing/FakeJira';
import type { FakeZendesk } from '@app-access/plugin-app-access-backend-module-zendesk/src/testing/FakeZendesk';
import type { FakeSlackApi } from '@app-access/plugin-app-access-backend-module-slack/src/testing/FakeSlackApi';
import type { FakeTeamsWebhook } from '@app-access/plugin-app-access-backend-module-msteams/src/testing/FakeTeamsWebhook';
import type {
  FakeBotFramework,
  FakeTeamsMessage,
  FakeTeamsUser,
} from '@app-access/plugin-app-access-backend-module-msteams/src/testing/FakeBotFramework';
import type { TestSmtpServer } from '@app-access/plugin-app-access-backend-module-email/src/testing/TestSmtpServer';
/* eslint-enable @backstage/no-forbidden-package-imports */
import { SandboxSeed } from './seed';

/** The help desk the sandbox files fulfilment tickets in. */
export type SandboxTicketing = 'jira' | 'zendesk';

export type SandboxOptions = {
  seed: SandboxSeed;
  ticketing?: SandboxTicketing;
  /** How often the ticket followers look at the sandbox help desk (default 0.25 min). */
  followEveryMinutes?: number;
};

/** What the sandbox page shows (GET /state). */
export type SandboxState = {
  ticketing: SandboxTicketing;
  mailbox: Array<{
    id: number;
    from: string;
    to: string[];
    subject: string;
    at: string;
    html?: string;
    text?: string;
  }>;
  slack: Array<{
    channel: string;
    ts: string;
    /** Who the DM is to (their email), or the channel id. */
    to: string;
    text?: string;
    blocks: any[];
    buttons: Array<{ actionId: string; text: string; style?: string }>;
    edited: boolean;
  }>;
  slackModals: Array<{
    id: string;
    title: string;
    to: string;
    inputs: Array<{ blockId: string; actionId: string; label: string }>;
  }>;
  teams: Array<{ at: string; card: any }>;
  /** Every message of the App Access bot, in each person's 1:1 chat, oldest first. */
  teamsBot: Array<{
    id: string;
    /** Whose chat it is (their email). */
    to: string;
    name: string;
    /** Plain text messages (the bot introducing itself). */
    text?: string;
    /** The Adaptive Card, as the person sees it now. */
    card?: any;
    edited: boolean;
    /** The card's Action.Execute buttons, also those behind "Deny…". */
    buttons: Array<{ verb: string; title: string; style?: string }>;
    /** The card's text inputs (the deny reason). */
    inputs: Array<{ id: string; label: string }>;
  }>;
  tickets: Array<{
    system: SandboxTicketing;
    id: string;
    title: string;
    description: string;
    status: string;
    done: boolean;
    requester?: string;
    at: string;
  }>;
  okta: {
    groups: Array<{ id: string; name: string; members: string[] }>;
    apps: Array<{
      id: string;
      label: string;
      users: Array<{ login: string; status: string }>;
    }>;
  };
};

/**
 * A Bot Framework activity as Teams sends it to the bot's messaging
 * endpoint, with the channel token signed by the sandbox's own issuer.
 */
export type SignedTeamsActivity = {
  activity: any;
  token: string;
};

/** A signed Slack interaction, ready to POST to the interactivity request URL. */
export type SignedSlackInteraction = {
  body: string;
  headers: Record<string, string>;
};

/*
 * Loaded on first use only (require, not import): a backend that never
 * enables the sandbox, like a production build, never loads them.
 */
/*
 * The fakes are not exported by the modules on purpose (they are not part of
 * what is published), so this example-only code reaches into src/testing.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @backstage/no-forbidden-package-imports */
function loadFakes() {
  return {
    FakeOkta: (
      require('@app-access/plugin-app-access-backend-module-okta/src/testing/FakeOkta') as typeof import('@app-access/plugin-app-access-backend-module-okta/src/testing/FakeOkta')
    ).FakeOkta,
    FakeJira: (
      require('@app-access/plugin-app-access-backend-module-jira/src/testing/FakeJira') as typeof import('@app-access/plugin-app-access-backend-module-jira/src/testing/FakeJira')
    ).FakeJira,
    FakeZendesk: (
      require('@app-access/plugin-app-access-backend-module-zendesk/src/testing/FakeZendesk') as typeof import('@app-access/plugin-app-access-backend-module-zendesk/src/testing/FakeZendesk')
    ).FakeZendesk,
    FakeSlackApi: (
      require('@app-access/plugin-app-access-backend-module-slack/src/testing/FakeSlackApi') as typeof import('@app-access/plugin-app-access-backend-module-slack/src/testing/FakeSlackApi')
    ).FakeSlackApi,
    FakeTeamsWebhook: (
      require('@app-access/plugin-app-access-backend-module-msteams/src/testing/FakeTeamsWebhook') as typeof import('@app-access/plugin-app-access-backend-module-msteams/src/testing/FakeTeamsWebhook')
    ).FakeTeamsWebhook,
    ...(require('@app-access/plugin-app-access-backend-module-msteams/src/testing/FakeBotFramework') as Pick<
      typeof import('@app-access/plugin-app-access-backend-module-msteams/src/testing/FakeBotFramework'),
      'FakeBotFramework' | 'findExecute'
    >),
    TestSmtpServer: (
      require('@app-access/plugin-app-access-backend-module-email/src/testing/TestSmtpServer') as typeof import('@app-access/plugin-app-access-backend-module-email/src/testing/TestSmtpServer')
    ).TestSmtpServer,
  };
}
/* eslint-enable @typescript-eslint/no-require-imports, @backstage/no-forbidden-package-imports */

const iso = (ms: number) => new Date(ms).toISOString();

/** Slack's user id for someone of the example org (stable across restarts). */
function slackUserId(email: string): string {
  return `U${createHmac('sha256', 'sandbox')
    .update(email.toLowerCase())
    .digest('hex')
    .slice(0, 10)
    .toUpperCase()}`;
}

/** A stable Entra ID object id for someone of the example org. */
function entraObjectId(email: string): string {
  const h = createHmac('sha256', 'sandbox-entra')
    .update(email.toLowerCase())
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(
    17,
    20,
  )}-${h.slice(20, 32)}`;
}

/** Every node of a card of one type (actions behind Action.ShowCard too). */
function cardNodes(node: any, type: string, out: any[] = []): any[] {
  if (Array.isArray(node)) {
    for (const n of node) cardNodes(n, type, out);
  } else if (node && typeof node === 'object') {
    if (node.type === type) out.push(node);
    for (const value of Object.values(node)) cardNodes(value, type, out);
  }
  return out;
}

const CARD = 'application/vnd.microsoft.card.adaptive';

export class VendorSandbox {
  readonly slackSigningSecret = randomBytes(24).toString('hex');
  private readonly submittedViews = new Set<string>();
  private triggers = 0;

  private constructor(
    readonly ticketing: SandboxTicketing,
    private readonly followEveryMinutes: number,
    readonly okta: FakeOkta,
    readonly jira: FakeJira,
    readonly zendesk: FakeZendesk,
    readonly slack: FakeSlackApi,
    readonly teams: FakeTeamsWebhook,
    readonly teamsBot: FakeBotFramework,
    private readonly teamsUsers: Map<string, FakeTeamsUser>,
    private readonly findExecute: (activity: any, verb: string) => any,
    readonly smtp: TestSmtpServer,
    private readonly seed: SandboxSeed,
    private readonly oktaToken: string,
  ) {}

  /** Starts every fake on a free port of 127.0.0.1 and seeds it. */
  static async start(options: SandboxOptions): Promise<VendorSandbox> {
    const {
      FakeOkta,
      FakeJira,
      FakeZendesk,
      FakeSlackApi,
      FakeTeamsWebhook,
      FakeBotFramework,
      findExecute,
      TestSmtpServer,
    } = loadFakes();
    const { seed } = options;
    // Everyone of the example org has Teams, with their catalog email.
    const teamsUsers = new Map<string, FakeTeamsUser>(
      seed.people.map(p => [
        p.email.toLowerCase(),
        {
          name: p.displayName,
          email: p.email,
          aadObjectId: entraObjectId(p.email),
        },
      ]),
    );
    const oktaToken = `sandbox-${randomBytes(12).toString('hex')}`;
    const sandbox = new VendorSandbox(
      options.ticketing ?? 'jira',
      options.followEveryMinutes ?? 0.25,
      await FakeOkta.start({ apiTokens: [oktaToken] }),
      await FakeJira.start(),
      await FakeZendesk.start(),
      await FakeSlackApi.start({
        token: `xoxb-sandbox-${randomBytes(8).toString('hex')}`,
        users: seed.people.map(p => ({
          id: slackUserId(p.email),
          email: p.email,
          name: p.displayName,
        })),
      }),
      await FakeTeamsWebhook.start(),
      // Its own issuer and signing keys: the overlay points the bot at
      // them, so only sandbox-signed tokens are accepted here.
      await FakeBotFramework.start({
        appId: randomUUID(),
        users: [...teamsUsers.values()],
      }),
      teamsUsers,
      findExecute,
      await TestSmtpServer.start(),
      seed,
      oktaToken,
    );
    sandbox.seedVendors();
    return sandbox;
  }

  private seedVendors() {
    const { okta, jira, seed } = this;
    for (const person of seed.people) {
      const [firstName, ...rest] = person.displayName.split(' ');
      okta.addUser({
        login: person.email,
        firstName,
        lastName: rest.join(' ') || person.name,
      });
    }
    // Apps provision new accounts after a couple of reads, as real SCIM
    // apps take a moment: "provisioning follows" the group add.
    for (const app of seed.oktaApps) {
      okta.addApp({
        id: app.id,
        label: app.label,
        provisioning: { readsUntilProvisioned: 2 },
      });
    }
    for (const group of seed.oktaGroups) {
      okta.addGroup({ id: group.id, name: group.label });
      if (group.oktaAppId && okta.apps.has(group.oktaAppId)) {
        okta.assignGroupToApp(group.oktaAppId, group.id);
      }
    }
    jira.serviceDesks[0].customers = seed.people.map(p => ({
      accountId: `acct-${p.name}`,
      emailAddress: p.email,
      displayName: p.displayName,
    }));
  }

  /**
   * The modules' configuration that points them at the fakes (merged over
   * app-config by rootConfig.ts).
   */
  configOverlay() {
    return {
      appAccess: {
        ticketing: { system: this.ticketing },
        okta: {
          orgUrl: this.okta.url,
          apiToken: this.oktaToken,
          pollSeconds: 2,
          // The allow-list is what an Okta admin would set: the groups and
          // apps the example catalog grants.
          allowedGroupIds: this.seed.oktaGroups.map(g => g.id),
          allowedAppIds: this.seed.oktaApps.map(a => a.id),
          // The example portal's peer usage comes from examples/usage.yaml.
          sync: { enabled: false },
        },
        jira: {
          baseUrl: this.jira.url,
          email: this.jira.email,
          apiToken: this.jira.apiToken,
          serviceDeskId: this.jira.serviceDesks[0].id,
          requestTypeId: this.jira.serviceDesks[0].requestTypes[0].id,
          followEveryMinutes: this.followEveryMinutes,
        },
        zendesk: {
          endpointUri: `${this.zendesk.url}/api/v2`,
          email: this.zendesk.email,
          apiToken: this.zendesk.apiToken,
          followEveryMinutes: this.followEveryMinutes,
        },
        slack: {
          botToken: this.slack.token,
          signingSecret: this.slackSigningSecret,
          apiUrl: this.slack.apiUrl,
        },
        msteams: {
          webhookUrl: this.teams.url,
          bot: {
            appId: this.teamsBot.appId,
            appPassword: this.teamsBot.appPassword,
            tenantId: this.teamsBot.tenantId,
            openIdMetadataUrl: this.teamsBot.openIdMetadataUrl,
            issuer: this.teamsBot.issuer,
            tokenUrl: this.teamsBot.tokenUrl,
          },
        },
        email: {
          smtp: this.smtp.smtpConfig,
          from: { name: 'Acme IT (sandbox)', address: 'it-apps@acme.example' },
          ticketAddress: 'helpdesk@acme.example',
        },
      },
    };
  }

  private personBySlackChannel(channel: string): string {
    if (!channel.startsWith('D')) return channel;
    return this.slack.users.get(channel.slice(1))?.email ?? channel;
  }

  state(): SandboxState {
    const slack = [...this.slack.messages.values()].map(m => ({
      channel: m.channel,
      ts: m.ts,
      to: this.personBySlackChannel(m.channel),
      text: m.text,
      blocks: m.blocks ?? [],
      buttons: (m.blocks ?? [])
        .filter((b: any) => b.type === 'actions')
        .flatMap((b: any) => b.elements ?? [])
        .filter((e: any) => e.type === 'button' && e.action_id)
        .map((e: any) => ({
          actionId: String(e.action_id),
          text: String(e.text?.text ?? e.action_id),
          style: e.style,
        })),
      edited: m.history.length > 1,
    }));
    return {
      ticketing: this.ticketing,
      mailbox: this.smtp.messages.map((m, id) => ({
        id,
        from: m.parsed.from?.text ?? m.from,
        to: m.to,
        subject: m.parsed.subject ?? '',
        at: (m.parsed.date ?? new Date()).toISOString(),
        html: typeof m.parsed.html === 'string' ? m.parsed.html : undefined,
        text: m.parsed.text,
      })),
      slack,
      slackModals: this.openModals().map(v => ({
        id: v.id,
        title: v.title,
        to: this.slack.users.get(v.userId)?.email ?? v.userId,
        inputs: v.inputs,
      })),
      teams: this.teams.posts
        .filter(p => p.status === 202 && p.card)
        .map(p => ({ at: iso(p.at), card: p.card })),
      teamsBot: this.teamsBot.messages.map(m => {
        const user = this.teamsUserOf(m);
        const card = (m.activity.attachments ?? []).find(
          (a: any) => a.contentType === CARD,
        )?.content;
        return {
          id: m.id,
          to: user?.email ?? m.conversationId,
          name: user?.name ?? m.conversationId,
          text:
            typeof m.activity.text === 'string' ? m.activity.text : undefined,
          card,
          edited: m.history.length > 1,
          buttons: cardNodes(card, 'Action.Execute').map(a => ({
            verb: String(a.verb),
            title: String(a.title ?? a.verb),
            style: a.style,
          })),
          inputs: cardNodes(card, 'Input.Text').map(i => ({
            id: String(i.id),
            label: String(i.label ?? i.placeholder ?? i.id),
          })),
        };
      }),
      tickets: [
        ...this.jira.issues.map(i => ({
          system: 'jira' as const,
          id: i.key,
          title: i.summary,
          description: i.description,
          status: i.statusName,
          done: i.statusCategory === 'done',
          requester: this.jira.serviceDesks
            .flatMap(d => d.customers)
            .find(c => c.accountId === i.reporter)?.emailAddress,
          at: i.created,
        })),
        ...this.zendesk.tickets.map(t => ({
          system: 'zendesk' as const,
          id: String(t.id),
          title: t.subject,
          description: t.description,
          status: t.status,
          done: t.status === 'solved' || t.status === 'closed',
          requester: this.zendesk.users.find(u => u.id === t.requester_id)
            ?.email,
          at: t.created_at,
        })),
      ],
      okta: {
        groups: [...this.okta.groups.values()].map(g => ({
          id: g.id,
          name: g.profile.name,
          members: [...(this.okta.groupMembers.get(g.id) ?? [])].map(
            id => this.okta.users.get(id)?.profile.login ?? id,
          ),
        })),
        apps: [...this.okta.apps.values()].map(a => ({
          id: a.id,
          label: a.label,
          users: [...(this.okta.appUsers.get(a.id)?.values() ?? [])].map(u => ({
            login: this.okta.users.get(u.id)?.profile.login ?? u.id,
            status: u.status,
          })),
        })),
      },
    };
  }

  /** Deny-reason dialogs opened (views.open) and not yet submitted. */
  private openModals() {
    return this.slack.apiCalls
      .filter(c => c.method === 'views.open' && c.response.ok)
      .map(c => {
        const view = c.response.view;
        const inputs = (view.blocks ?? [])
          .filter((b: any) => b.type === 'input' && b.element?.action_id)
          .map((b: any) => ({
            blockId: String(b.block_id),
            actionId: String(b.element.action_id),
            label: String(b.label?.text ?? b.block_id),
          }));
        return {
          id: String(view.id),
          title: String(view.title?.text ?? 'Slack'),
          userId: String(
            c.args.user_id ??
              this.triggerUsers.get(String(c.args.trigger_id)) ??
              '',
          ),
          view,
          inputs,
        };
      })
      .filter(v => !this.submittedViews.has(v.id));
  }

  private readonly triggerUsers = new Map<string, string>();

  private sign(payload: object): SignedSlackInteraction {
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', this.slackSigningSecret)
      .update(`v0:${timestamp}:${body}`)
      .digest('hex')}`;
    return {
      body,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Slack-Request-Timestamp': timestamp,
        'X-Slack-Signature': signature,
      },
    };
  }

  /**
   * The request Slack sends when the DM's recipient clicks one of its
   * buttons (block_actions), signed with the app's signing secret.
   * Undefined when there is no such message or button.
   */
  buttonClick(
    channel: string,
    ts: string,
    actionId: string,
  ): SignedSlackInteraction | undefined {
    const message = this.slack.messages.get(`${channel}/${ts}`);
    const button = (message?.blocks ?? [])
      .filter((b: any) => b.type === 'actions')
      .flatMap((b: any) => b.elements ?? [])
      .find((e: any) => e.action_id === actionId);
    if (!message || !button || !channel.startsWith('D')) return undefined;
    const userId = channel.slice(1);
    this.triggers += 1;
    const triggerId = `${this.triggers}.${Date.now()}.sandbox`;
    this.triggerUsers.set(triggerId, userId);
    return this.sign({
      type: 'block_actions',
      user: { id: userId, username: userId, team_id: this.slack.team.id },
      api_app_id: 'A0SANDBOX',
      team: { id: this.slack.team.id, domain: 'acme' },
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
      },
      trigger_id: triggerId,
      channel: { id: message.channel, name: 'directmessage' },
      message: { ts: message.ts, text: message.text, blocks: message.blocks },
      actions: [
        {
          type: 'button',
          action_id: button.action_id,
          block_id: 'app_access_decision',
          value: button.value,
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    });
  }

  /** The view_submission of an open dialog with these input values. */
  submitModal(
    viewId: string,
    values: Record<string, string>,
  ): SignedSlackInteraction | undefined {
    const modal = this.openModals().find(v => v.id === viewId);
    if (!modal) return undefined;
    const state: Record<string, Record<string, any>> = {};
    for (const input of modal.inputs) {
      state[input.blockId] = {
        [input.actionId]: {
          type: 'plain_text_input',
          value: values[input.blockId] ?? '',
        },
      };
    }
    this.submittedViews.add(viewId);
    return this.sign({
      type: 'view_submission',
      user: { id: modal.userId, team_id: this.slack.team.id },
      team: { id: this.slack.team.id, domain: 'acme' },
      api_app_id: 'A0SANDBOX',
      view: { ...modal.view, state: { values: state } },
    });
  }

  private teamsUserOf(message: FakeTeamsMessage): FakeTeamsUser | undefined {
    return [...this.teamsUsers.values()].find(
      u => this.teamsBot.conversationIdOf(u) === message.conversationId,
    );
  }

  /** User entity refs of everyone of the example org. */
  peopleRefs(): string[] {
    return this.seed.people.map(p => `user:default/${p.name}`);
  }

  /**
   * What Teams sends when IT installs the app for everyone from the Teams
   * admin centre: one installationUpdate per person, each signed.
   */
  async teamsInstalls(): Promise<SignedTeamsActivity[]> {
    return Promise.all(
      [...this.teamsUsers.values()].map(async user => ({
        activity: this.teamsBot.installActivity(user, 'admin'),
        token: await this.teamsBot.channelToken(),
      })),
    );
  }

  /**
   * The Action.Execute invoke Teams sends when the chat's owner clicks a
   * button of the bot's card (with the card's inputs), signed by the
   * sandbox's issuer. Undefined when there is no such message or button.
   */
  async teamsClick(
    messageId: string,
    verb: string,
    inputs: Record<string, string> = {},
  ): Promise<SignedTeamsActivity | undefined> {
    const message = this.teamsBot.messages.find(m => m.id === messageId);
    const user = message && this.teamsUserOf(message);
    if (!message || !user || !this.findExecute(message.activity, verb)) {
      return undefined;
    }
    return {
      activity: this.teamsBot.invokeActivity(user, message, verb, inputs),
      token: await this.teamsBot.channelToken(),
    };
  }

  /**
   * The bot answered an invoke with a card: Teams shows it in place of the
   * clicked card, to the clicker.
   */
  showInvokeResponse(messageId: string, response: any) {
    const message = this.teamsBot.messages.find(m => m.id === messageId);
    if (!message || response?.type !== CARD || !response.value) return;
    message.activity = {
      ...message.activity,
      attachments: [{ contentType: CARD, content: response.value }],
    };
    message.history.push(message.activity);
  }

  /** IT resolves a help-desk ticket; false when there is no such ticket. */
  resolveTicket(system: SandboxTicketing, id: string): boolean {
    const comment = 'Access granted by IT (sandbox).';
    if (system === 'jira') {
      if (!this.jira.issue(id)) return false;
      this.jira.transition(id, {
        category: 'done',
        resolution: 'Done',
        comment,
      });
      return true;
    }
    if (!this.zendesk.ticket(id)) return false;
    this.zendesk.update(id, { status: 'solved', comment });
    return true;
  }

  async stop() {
    await Promise.allSettled([
      this.okta.stop(),
      this.jira.stop(),
      this.zendesk.stop(),
      this.slack.stop(),
      this.teams.stop(),
      this.teamsBot.stop(),
      this.smtp.stop(),
    ]);
  }
}
