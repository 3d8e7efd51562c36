import {
  AccessRequest,
  ApproverPreview,
  PendingApproval,
} from '@app-access/plugin-app-access-common';
import { JANE, SAM } from './catalogApps';
import { hoursAgo } from './hoursAgo';

export const pendingRequest: AccessRequest = {
  id: 'req-1',
  kind: 'access',
  appId: 'figma',
  tierId: 'editor',
  appName: 'Figma',
  tierName: 'Editor',
  requester: JANE,
  status: 'pending_approval',
  level: 1,
  justification: 'I design the onboarding flow.',
  neededBy: '2030-01-15',
  createdAt: hoursAgo(5),
  updatedAt: hoursAgo(4),
  events: [
    {
      id: 'e1',
      at: hoursAgo(5),
      actor: JANE,
      type: 'submitted',
      toStatus: 'submitted',
    },
    {
      id: 'e2',
      at: hoursAgo(5),
      actor: 'plugin:app-access',
      type: 'approval_requested',
      fromStatus: 'submitted',
      toStatus: 'pending_approval',
      level: 1,
      data: { approvers: [SAM] },
    },
  ],
  approvals: [
    {
      id: 'task-1',
      requestId: 'req-1',
      level: 1,
      approvers: [SAM],
      status: 'open',
      reminders: 0,
      fallback: false,
      createdAt: hoursAgo(5),
    },
  ],
};

export const fulfilledRequest: AccessRequest = {
  id: 'req-slack',
  kind: 'access',
  appId: 'slack',
  tierId: 'standard',
  appName: 'Slack',
  tierName: 'Standard',
  requester: JANE,
  status: 'fulfilled',
  level: 0,
  externalRef: 'IT-4521',
  externalUrl: 'https://jira.example.com/browse/IT-4521',
  createdAt: hoursAgo(72),
  updatedAt: hoursAgo(48),
  events: [
    { id: 'f1', at: hoursAgo(72), actor: JANE, type: 'submitted' },
    {
      id: 'f2',
      at: hoursAgo(71),
      actor: SAM,
      type: 'approved',
      level: 1,
      comment: 'Welcome aboard',
      fromStatus: 'pending_approval',
      toStatus: 'approved',
    },
    {
      id: 'f3',
      at: hoursAgo(70),
      actor: 'user:default/lee.director',
      type: 'approved',
      level: 2,
      fromStatus: 'pending_approval',
      toStatus: 'approved',
    },
    {
      id: 'f4',
      at: hoursAgo(70),
      actor: 'plugin:app-access',
      type: 'fulfillment_started',
      fromStatus: 'approved',
      toStatus: 'fulfilling',
    },
    {
      id: 'f5',
      at: hoursAgo(69),
      actor: 'plugin:app-access',
      type: 'awaiting_it',
      toStatus: 'awaiting_it',
      data: {
        externalRef: 'IT-4521',
        externalUrl: 'https://jira.example.com/browse/IT-4521',
      },
    },
    {
      id: 'f6',
      at: hoursAgo(48),
      actor: 'user:default/it.admin',
      type: 'marked_fulfilled',
      toStatus: 'fulfilled',
    },
  ],
};

export const failedRequest: AccessRequest = {
  id: 'req-failed',
  kind: 'access',
  appId: 'github',
  tierId: 'member',
  appName: 'GitHub Enterprise',
  tierName: 'Member',
  requester: JANE,
  status: 'failed',
  level: 0,
  failureReason: 'User jane.doe is not in Okta',
  createdAt: hoursAgo(30),
  updatedAt: hoursAgo(29),
  events: [
    { id: 'x1', at: hoursAgo(30), actor: JANE, type: 'submitted' },
    {
      id: 'x2',
      at: hoursAgo(29),
      actor: 'plugin:app-access',
      type: 'fulfillment_failed',
      toStatus: 'failed',
      data: { error: 'User jane.doe is not in Okta' },
    },
  ],
};

export const intakeRequest: AccessRequest = {
  id: 'req-intake',
  kind: 'intake',
  appName: 'Linear',
  requester: JANE,
  status: 'submitted',
  level: 0,
  justification: 'Our team tracks issues there.',
  intake: { name: 'Linear', url: 'https://linear.app', vendor: 'Linear' },
  createdAt: hoursAgo(1),
  updatedAt: hoursAgo(1),
};

export const myRequests = [
  pendingRequest,
  fulfilledRequest,
  failedRequest,
  intakeRequest,
];

export const pendingApprovals: PendingApproval[] = [
  {
    id: 'task-10',
    requestId: 'req-10',
    level: 1,
    approvers: [SAM],
    status: 'open',
    reminders: 0,
    fallback: false,
    createdAt: hoursAgo(3),
    request: {
      id: 'req-10',
      kind: 'access',
      appId: 'github',
      tierId: 'member',
      appName: 'GitHub Enterprise',
      tierName: 'Member',
      requester: 'user:default/alex.dev',
      status: 'pending_approval',
      level: 1,
      justification: 'I am joining the platform team.',
      createdAt: hoursAgo(3),
      updatedAt: hoursAgo(3),
    },
  },
  {
    id: 'task-11',
    requestId: 'req-11',
    level: 2,
    approvers: ['group:default/it'],
    status: 'open',
    reminders: 1,
    fallback: true,
    createdAt: hoursAgo(50),
    request: {
      id: 'req-11',
      kind: 'access',
      appId: 'figma',
      tierId: 'editor',
      appName: 'Figma',
      tierName: 'Editor',
      requester: 'user:default/kim.design',
      status: 'pending_approval',
      level: 2,
      justification: 'Design system work.',
      neededBy: '2030-02-01',
      createdAt: hoursAgo(60),
      updatedAt: hoursAgo(50),
    },
  },
];

export const twoLevelPreview: ApproverPreview = {
  needsApproval: true,
  levels: [
    {
      level: 1,
      approvers: [{ ref: SAM, displayName: 'Sam Manager' }],
      fallback: false,
    },
    {
      level: 2,
      approvers: [{ ref: 'group:default/it', displayName: 'IT' }],
      fallback: true,
    },
  ],
};

export const noApprovalPreview: ApproverPreview = {
  needsApproval: false,
  levels: [],
};
export const awaitingRequest: AccessRequest = {
  id: 'req-awaiting',
  kind: 'access',
  appId: 'figma',
  tierId: 'editor',
  appName: 'Figma',
  tierName: 'Editor',
  requester: 'user:default/kim.design',
  status: 'awaiting_it',
  level: 0,
  fulfilledBy: 'jira',
  externalRef: 'IT-77',
  externalUrl: 'https://jira.example.com/browse/IT-77',
  createdAt: hoursAgo(100),
  updatedAt: hoursAgo(90),
  events: [
    {
      id: 'w1',
      at: hoursAgo(100),
      actor: 'user:default/kim.design',
      type: 'submitted',
    },
    {
      id: 'w2',
      at: hoursAgo(90),
      actor: 'plugin:app-access',
      type: 'awaiting_it',
      toStatus: 'awaiting_it',
      data: { externalRef: 'IT-77' },
    },
  ],
};

export const adminRequests: AccessRequest[] = [
  pendingRequest,
  fulfilledRequest,
  failedRequest,
  awaitingRequest,
];
