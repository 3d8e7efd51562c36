import {
  ReclaimCampaign,
  ReclaimMatch,
  ReclaimQuestion,
  ReclaimQuestionStatus,
  StartCampaignBody,
} from '@app-access/plugin-app-access-common';
import { AppAccessApi } from '../api';
import { responseError } from './responseError';

/** Who holds Slack Standard in the fakes, longest unused first. */
export const slackMatches: ReclaimMatch[] = [
  {
    grantId: 'g-slack-leo',
    holder: 'user:default/leo.park',
    holderName: 'Leo Park',
    tierId: 'standard',
    tierName: 'Standard',
    grantedAt: '2026-06-01T09:00:00.000Z',
  },
  {
    grantId: 'g-slack',
    holder: 'user:default/jane.doe',
    holderName: 'Jane Doe',
    tierId: 'standard',
    tierName: 'Standard',
    grantedAt: '2026-05-20T09:00:00.000Z',
    lastSignInAt: '2026-08-02T10:00:00.000Z',
  },
];

/** The price of a Slack Standard seat in the fakes. */
export const SLACK_SEAT_EUR = 7.25;

const COUNTS_ZERO = {
  total: 0,
  asked: 0,
  kept: 0,
  released: 0,
  expired: 0,
  removed: 0,
  failed: 0,
  cancelled: 0,
  skipped: 0,
};

function countsOf(questions: ReclaimQuestion[]): ReclaimCampaign['counts'] {
  const counts = { ...COUNTS_ZERO, total: questions.length };
  for (const q of questions) counts[q.status] += 1;
  return counts;
}

type CampaignApi = Pick<
  AppAccessApi,
  | 'previewCampaign'
  | 'listCampaigns'
  | 'startCampaign'
  | 'getCampaign'
  | 'listCampaignQuestions'
  | 'endCampaign'
  | 'cancelCampaign'
  | 'answerReclaimQuestion'
>;

/**
 * Campaigns as the backend keeps them, in memory: a preview of Slack's
 * holders (no sign-ins known for other apps), campaigns started from it,
 * end and cancel moving their status, and the holders' answers.
 */
export function campaignFakes(): {
  [K in keyof CampaignApi]: jest.MockedFunction<CampaignApi[K]>;
} {
  const campaigns: ReclaimCampaign[] = [];
  const questions = new Map<string, ReclaimQuestion[]>();
  const withCounts = (c: ReclaimCampaign): ReclaimCampaign => {
    const qs = questions.get(c.id) ?? [];
    const removed = qs.filter(q => q.status === 'removed').length;
    return {
      ...c,
      counts: countsOf(qs),
      monthlySaving: removed * SLACK_SEAT_EUR,
      currency: 'EUR',
    };
  };
  const find = (id: string) => {
    const c = campaigns.find(x => x.id === id);
    if (!c) throw responseError(404, 'NotFoundError', `No campaign '${id}'`);
    return c;
  };
  const ended = (c: ReclaimCampaign) => {
    if (c.status === 'completed' || c.status === 'cancelled') {
      throw responseError(
        409,
        'ConflictError',
        `The campaign already ended (${c.status})`,
      );
    }
  };
  return {
    previewCampaign: jest.fn(async query => {
      const tracked = query.appId === 'slack';
      const items = tracked
        ? slackMatches.filter(m => !query.tierId || m.tierId === query.tierId)
        : [];
      return {
        appId: query.appId,
        tierId: query.tierId,
        inactiveDays: query.inactiveDays,
        signInsTracked: tracked,
        total: items.length,
        items,
        monthlySaving: tracked ? items.length * SLACK_SEAT_EUR : null,
        currency: tracked ? 'EUR' : undefined,
      };
    }),
    listCampaigns: jest.fn(async () => ({
      items: campaigns.map(withCounts),
    })),
    startCampaign: jest.fn(async (body: StartCampaignBody) => {
      const chosen = slackMatches.filter(
        m =>
          body.appId === 'slack' && (body.grantIds ?? []).includes(m.grantId),
      );
      if (chosen.length === 0) {
        throw responseError(409, 'ConflictError', 'Nobody matches the rule');
      }
      const id = `camp-${campaigns.length + 1}`;
      const deadlineAt = new Date(
        Date.parse('2026-12-06T12:00:00.000Z') + body.answerDays * 86400000,
      ).toISOString();
      const campaign: ReclaimCampaign = {
        id,
        appId: body.appId,
        appName: 'Slack',
        tierId: body.tierId,
        tierName: body.tierId ? 'Standard' : undefined,
        inactiveDays: body.inactiveDays,
        deadlineAt,
        message: body.message,
        status: 'running',
        source: 'admin',
        createdBy: 'user:default/ivan.admin',
        createdAt: '2026-12-06T12:00:00.000Z',
        counts: COUNTS_ZERO,
      };
      campaigns.unshift(campaign);
      questions.set(
        id,
        chosen.map((m, i) => ({
          id: `${id}-q${i + 1}`,
          campaignId: id,
          grantId: m.grantId,
          holder: m.holder,
          holderName: m.holderName,
          appId: body.appId,
          tierId: m.tierId,
          tierName: m.tierName,
          lastSignInAt: m.lastSignInAt,
          status: 'asked',
          askedAt: campaign.createdAt,
          deadlineAt,
          reminders: 0,
        })),
      );
      return withCounts(campaign);
    }),
    getCampaign: jest.fn(async (id: string) => withCounts(find(id))),
    listCampaignQuestions: jest.fn(async (id: string, query = {}) => {
      find(id);
      const all = (questions.get(id) ?? []).filter(
        q => !query.status || q.status === query.status,
      );
      const offset = query.offset ?? 0;
      return {
        items: all.slice(offset, offset + (query.limit ?? 50)),
        total: all.length,
      };
    }),
    endCampaign: jest.fn(async (id: string) => {
      const c = find(id);
      ended(c);
      c.status = 'closing';
      c.endedAt = '2026-12-06T12:30:00.000Z';
      for (const q of questions.get(id) ?? []) {
        if (q.status === 'asked') q.status = 'expired';
      }
      return withCounts(c);
    }),
    cancelCampaign: jest.fn(async (id: string) => {
      const c = find(id);
      ended(c);
      c.status = 'cancelled';
      c.cancelledBy = 'user:default/ivan.admin';
      for (const q of questions.get(id) ?? []) {
        if (q.status === 'asked') q.status = 'cancelled';
      }
      return withCounts(c);
    }),
    answerReclaimQuestion: jest.fn(async (questionId: string, body) => {
      const q = [...questions.values()].flat().find(x => x.id === questionId);
      if (!q) throw responseError(404, 'NotFoundError', 'No such question');
      const next: ReclaimQuestionStatus =
        body.answer === 'keep' ? 'kept' : 'released';
      if (q.status !== 'asked' && q.status !== next) {
        throw responseError(
          409,
          'ConflictError',
          `This question was already answered (${q.status})`,
        );
      }
      q.status = next;
      q.reason = body.reason;
      q.answeredAt = '2026-12-06T12:10:00.000Z';
      q.answeredVia = 'portal';
      return { ...q };
    }),
  };
}
