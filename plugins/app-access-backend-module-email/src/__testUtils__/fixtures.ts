import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { ConfigReader, JsonObject } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import {
  AccessRequest,
  AppAccessSettings,
  ApprovalTask,
  ReclaimQuestion,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { EmailConfig, readEmailConfig } from '../config';

export const JANE = 'user:default/jane.doe';
export const SAM = 'user:default/sam.manager';
export const OLIVIA = 'user:default/olivia.owner';
export const NOEMAIL = 'user:default/nora.nomail';

export const people: DirectoryPerson[] = [
  {
    ref: JANE,
    displayName: 'Jane Doe',
    email: 'jane.doe@acme.example',
    groups: [],
    title: 'Engineer',
  },
  {
    ref: SAM,
    displayName: 'Sam Manager',
    email: 'sam.manager@acme.example',
    groups: [],
  },
  {
    ref: OLIVIA,
    displayName: 'Olivia Owner',
    email: 'olivia.owner@acme.example',
    groups: [],
  },
  { ref: NOEMAIL, displayName: 'Nora Nomail', groups: [] },
];

export const logger = mockServices.logger.mock();

/** appAccess.email config for a test SMTP server, with overrides. */
export function emailConfig(
  smtp: { host: string; port: number; secure?: boolean; ignoreTLS?: boolean },
  email: JsonObject = {},
  branding?: JsonObject,
): EmailConfig {
  return readEmailConfig(
    new ConfigReader({
      backend: { baseUrl: 'http://backstage.test:7007' },
      appAccess: {
        email: {
          smtp,
          from: { name: 'Acme IT', address: 'it-apps@acme.example' },
          ticketAddress: 'helpdesk@acme.example',
          ...email,
        },
        ...(branding ? { branding } : {}),
      },
    }),
  )!;
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const port = (server.address() as { port: number }).port;
  await new Promise(resolve => server.close(resolve));
  return port;
}

export function makeRequest(
  overrides: Partial<AccessRequest> = {},
): AccessRequest {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    kind: 'access',
    appId: 'figma',
    tierId: 'editor',
    appName: 'Figma',
    tierName: 'Editor',
    requester: JANE,
    status: 'pending_approval',
    level: 1,
    justification: 'Design reviews with the product team',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeTask(
  request: AccessRequest,
  overrides: Partial<ApprovalTask> = {},
): ApprovalTask {
  return {
    id: randomUUID(),
    requestId: request.id,
    level: 1,
    approvers: [SAM],
    status: 'open',
    reminders: 0,
    fallback: false,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

export function makeMessage(
  overrides: Partial<AppAccessMessage> = {},
): AppAccessMessage {
  const request = overrides.request ?? makeRequest();
  return {
    kind: 'approval_needed',
    audience: 'approvers',
    recipients: [SAM],
    request,
    task: makeTask(request),
    url: 'http://portal.test/apps/approvals',
    idempotencyKey: `notify:email:${randomUUID()}`,
    ...overrides,
  };
}

/**
 * The part of the core's decision API the email module reads, over the
 * people above and the requests a test registers. Deciding is not faked:
 * tests of links run against the real core (module.test.ts).
 */
export class StaticDecisionApi implements AppAccessDecisionApi {
  readonly requests = new Map<string, AccessRequest>();
  /** What the settings page saved; unset, reading settings fails (app-config applies). */
  settings?: AppAccessSettings;

  async decide(): Promise<AccessRequest> {
    throw new Error(
      'decide is exercised against the real core in module.test.ts',
    );
  }
  async answerReclaim(
    _input: Parameters<AppAccessDecisionApi['answerReclaim']>[0],
  ): Promise<ReclaimQuestion> {
    throw new Error(
      'answering is exercised with a recording fixture (EmailReclaim.test.ts) and against the real core',
    );
  }
  async getRequest(id: string) {
    const request = this.requests.get(id);
    if (!request) throw new Error(`No request ${id}`);
    return request;
  }
  async getTask(id: string) {
    for (const request of this.requests.values()) {
      const task = request.approvals?.find(t => t.id === id);
      if (task) return task;
    }
    return undefined;
  }
  async getPerson(ref: string) {
    return people.find(p => p.ref === ref);
  }
  async findPersonByEmail(email: string) {
    return people.find(p => p.email === email);
  }
  async identify({ email }: { email: string; channel: string }) {
    const matches = people.filter(p => p.email === email);
    return matches.length === 1
      ? { person: matches[0] }
      : { refused: `${matches.length} people have ${email}` };
  }
  async getSettings(): Promise<AppAccessSettings> {
    if (!this.settings) throw new Error('settings unavailable in this test');
    return this.settings;
  }
  portalUrl(path: string) {
    return `http://portal.test${path}`;
  }
}

/** Settings as an admin saved them on the settings page (only what email reads). */
export function savedSettings(overrides: {
  notifications?: AppAccessSettings['notifications'];
  ticketAddress?: string;
  branding?: AppAccessSettings['branding'];
}): AppAccessSettings {
  return {
    approvalMethod: 'email',
    defaultApprovers: [],
    reminders: { intervalHours: 24, maxCount: 3 },
    ticketing: {
      system: 'email',
      email: overrides.ticketAddress
        ? { ticketAddress: overrides.ticketAddress }
        : undefined,
    },
    notifications: overrides.notifications ?? {},
    peers: { roleBasis: 'title', showNames: 'team' },
    branding: overrides.branding ?? {},
    onBehalf: 'reports',
    access: { expiryNoticeDays: 3 },
  };
}
