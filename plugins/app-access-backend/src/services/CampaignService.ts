import {
  ReclaimCampaign,
  ReclaimCampaignPage,
  ReclaimPreview,
  ReclaimQuestion,
  ReclaimQuestionPage,
  ReclaimQuestionStatus,
} from '@app-access/plugin-app-access-common';
import { ReclaimWorkflow } from '../workflow/ReclaimWorkflow';
import { Caller } from '../workflow/RequestWorkflow';

/**
 * Reclamation campaigns as admins run them (preview, start, progress,
 * end, cancel) and as holders answer them. Every change goes through the
 * reclaim workflow (one transaction per step).
 */
export class CampaignService {
  constructor(
    private readonly deps: {
      reclaims: ReclaimWorkflow;
      /** The clock (tests pass time forward). */
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  preview(q: {
    appId: string;
    tierId?: string;
    inactiveDays: number;
    limit?: number;
  }): Promise<ReclaimPreview> {
    return this.deps.reclaims.preview(q, this.now());
  }

  async list(): Promise<ReclaimCampaignPage> {
    return { items: await this.deps.reclaims.list() };
  }

  start(
    caller: Caller,
    body: {
      appId: string;
      tierId?: string;
      inactiveDays: number;
      answerDays: number;
      message?: string;
      grantIds?: string[];
    },
  ): Promise<ReclaimCampaign> {
    return this.deps.reclaims.start(caller, body, this.now());
  }

  get(id: string): Promise<ReclaimCampaign> {
    return this.deps.reclaims.get(id);
  }

  questions(
    id: string,
    q: { status?: ReclaimQuestionStatus; limit?: number; offset?: number },
  ): Promise<ReclaimQuestionPage> {
    return this.deps.reclaims.questions(id, q);
  }

  cancel(caller: Caller, id: string): Promise<ReclaimCampaign> {
    return this.deps.reclaims.cancel(caller, id, this.now());
  }

  end(caller: Caller, id: string): Promise<ReclaimCampaign> {
    return this.deps.reclaims.end(caller, id, this.now());
  }

  /** The holder's answer in the portal; 404 for anyone else. */
  answer(
    caller: Caller,
    id: string,
    body: { answer: 'keep' | 'release'; reason?: string },
  ): Promise<ReclaimQuestion> {
    return this.deps.reclaims.answer(
      {
        questionId: id,
        personRef: caller.userRef,
        answer: body.answer,
        reason: body.reason,
        channel: 'portal',
      },
      this.now(),
    );
  }
}
