import {
  AppAccessDirectory,
  AppAccessFulfiller,
  AppAccessMessage,
  AppAccessNotifier,
  DirectoryPerson,
  FulfillmentContext,
  FulfillmentResult,
} from '@app-access/plugin-app-access-node';
import { App } from '@app-access/plugin-app-access-common';

/** An in-memory directory: the example org in miniature. */
export class FakeDirectory implements AppAccessDirectory {
  readonly people = new Map<string, DirectoryPerson>();

  constructor(people: DirectoryPerson[]) {
    for (const p of people) this.people.set(p.ref, p);
  }

  async getPerson(ref: string) {
    return this.people.get(ref);
  }

  async getGroupMembers(groupRef: string) {
    return [...this.people.values()]
      .filter(p => p.groups.includes(groupRef))
      .map(p => p.ref)
      .sort();
  }
}

export const people: DirectoryPerson[] = [
  {
    ref: 'user:default/jane.doe',
    email: 'jane.doe@acme.example',
    manager: 'user:default/sam.manager',
    groups: ['group:default/engineering'],
    title: 'Software Engineer',
    department: 'Engineering',
  },
  {
    ref: 'user:default/sam.manager',
    email: 'sam.manager@acme.example',
    manager: 'user:default/carol.ceo',
    groups: ['group:default/engineering'],
    title: 'Engineering Manager',
  },
  {
    ref: 'user:default/olivia.owner',
    email: 'olivia.owner@acme.example',
    groups: ['group:default/finance'],
  },
  {
    ref: 'user:default/ivan.admin',
    email: 'ivan.admin@acme.example',
    groups: ['group:default/it-admins'],
  },
  {
    ref: 'user:default/tom.tech',
    email: 'tom.tech@acme.example',
    groups: ['group:default/it-admins'],
  },
  {
    ref: 'user:default/fiona.fallback',
    email: 'fiona.fallback@acme.example',
    groups: ['group:default/people-ops'],
  },
  {
    ref: 'user:default/carol.ceo',
    email: 'carol.ceo@acme.example',
    groups: ['group:default/acme'],
  },
];

/** Records every message; recipients listed in `unreachable` cannot be reached. */
export class RecordingNotifier implements AppAccessNotifier {
  readonly messages: AppAccessMessage[] = [];
  readonly unreachable = new Set<string>();
  failNext = 0;

  constructor(readonly id = 'backstage') {}

  async notify(message: AppAccessMessage) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('channel outage');
    }
    this.messages.push(message);
    return {
      unreachable: message.recipients.filter(r => this.unreachable.has(r)),
    };
  }

  to(ref: string, kind?: AppAccessMessage['kind']) {
    return this.messages.filter(
      m => m.recipients.includes(ref) && (!kind || m.kind === kind),
    );
  }
}

/** A fulfiller whose answers a test scripts, counting what it really did. */
export class ScriptedFulfiller implements AppAccessFulfiller {
  recordAudit?: AppAccessFulfiller['recordAudit'];
  readonly calls: FulfillmentContext[] = [];
  /** Each call takes the next answer; the last one repeats. */
  answers: FulfillmentResult[] = [
    { status: 'fulfilled', externalRef: 'okta:ok' },
  ];
  /** How many times access was actually granted. */
  granted = 0;

  constructor(readonly handles: string[] = ['okta-group']) {}

  async fulfill(context: FulfillmentContext): Promise<FulfillmentResult> {
    this.calls.push(context);
    const answer =
      this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
    if (answer.status === 'fulfilled') this.granted++;
    return answer;
  }
}

export function testApps(): App[] {
  return [
    {
      id: 'notion',
      name: 'Notion',
      vendor: 'Notion Labs',
      category: 'Productivity',
      owner: 'user:default/olivia.owner',
      listed: true,
      externalIds: {},
      approval: { required: 'everyone', level1: [{ type: 'manager' }] },
      tiers: [
        {
          id: 'editor',
          name: 'Editor',
          fulfillment: { type: 'okta-group', oktaGroupId: '00g-notion' },
        },
        {
          id: 'admin',
          name: 'Admin',
          approval: {
            required: 'everyone',
            level1: [{ type: 'manager' }],
            level2: [{ type: 'owner' }],
          },
          fulfillment: { type: 'okta-group', oktaGroupId: '00g-notion-admin' },
        },
        {
          id: 'guest',
          name: 'Guest',
          approval: { required: 'nobody' },
          fulfillment: { type: 'okta-group', oktaGroupId: '00g-guest' },
        },
      ],
    },
    {
      id: 'workday',
      name: 'Workday',
      category: 'HR',
      owner: 'group:default/it-admins',
      listed: true,
      externalIds: {},
      approval: {
        required: 'everyone',
        level1: [{ type: 'group', ref: 'group:default/it-admins' }],
      },
      tiers: [{ id: 'seat', name: 'Seat', fulfillment: { type: 'manual' } }],
    },
    {
      id: 'figma',
      name: 'Figma',
      category: 'Design',
      owner: 'user:default/sam.manager',
      listed: true,
      externalIds: {},
      approval: {
        required: 'except',
        exceptGroups: ['group:default/design'],
        level1: [{ type: 'owner' }],
      },
      tiers: [
        {
          id: 'editor',
          name: 'Editor',
          fulfillment: { type: 'okta-group', oktaGroupId: '00g-figma' },
        },
      ],
    },
  ];
}
