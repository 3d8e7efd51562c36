import { Knex } from 'knex';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { AppStore } from '../database/AppStore';
import { GrantStore, StoredGrant } from '../database/GrantStore';
import { nowIso } from '../database/json';
import { granteeOf } from './grantee';
import { checkDuration, GrantWriter, RemovalCause } from './GrantWriter';
import { Caller, RequestWorkflow, SYSTEM_ACTOR } from './RequestWorkflow';

const DAY_MS = 86_400_000;

/**
 * The other half of the lifecycle, each step one transaction: access ends
 * on time, its holder gives it back, an admin revokes it (one holder or
 * all), the holder is told before it ends and may ask to extend it, and
 * the removal job's outcome is recorded.
 */
export class AccessLifecycle {
  constructor(
    private readonly deps: {
      db: Knex;
      apps: AppStore;
      grants: GrantStore;
      workflow: RequestWorkflow;
      onEnqueued?: () => void;
    },
  ) {}

  private get writer(): GrantWriter {
    return this.deps.workflow.grantFlow;
  }

  private async grantOr404(id: string): Promise<StoredGrant> {
    const grant = await this.deps.grants.get(id);
    if (!grant) throw new NotFoundError(`No access grant with id '${id}'`);
    return grant;
  }

  private async remove(
    grant: StoredGrant,
    removal: { actor: string; cause: RemovalCause; reason?: string },
    now?: Date,
  ): Promise<boolean> {
    const started = await this.deps.db.transaction(tx =>
      this.writer.startRemoval(tx, grant, removal, now),
    );
    if (started) this.deps.onEnqueued?.();
    return started;
  }

  /** The holder gives their access back; 404 for anyone else. */
  async removeMine(caller: Caller, grantId: string): Promise<StoredGrant> {
    const grant = await this.grantOr404(grantId);
    if (grant.grantee !== caller.userRef) {
      throw new NotFoundError(`No access grant with id '${grantId}'`);
    }
    if (grant.status !== 'active') {
      throw new ConflictError(`This access is ${grant.status}, not active`);
    }
    if (
      !(await this.remove(grant, {
        actor: caller.userRef,
        cause: 'removed_by_holder',
      }))
    ) {
      throw new ConflictError('This access is already being removed');
    }
    return this.grantOr404(grantId);
  }

  /** An admin revokes one person's access, with a reason. */
  async revoke(
    caller: Caller,
    grantId: string,
    reason: string,
  ): Promise<StoredGrant> {
    const grant = await this.grantOr404(grantId);
    const why = reason.trim();
    if (!why) throw new InputError('reason: required to revoke access');
    if (grant.status !== 'active') {
      throw new ConflictError(`This access is ${grant.status}, not active`);
    }
    if (
      !(await this.remove(grant, {
        actor: caller.userRef,
        cause: 'revoked',
        reason: why,
      }))
    ) {
      throw new ConflictError('This access is already being removed');
    }
    return this.grantOr404(grantId);
  }

  /** An admin revokes a tier from every holder; each one is told. */
  async revokeTier(
    caller: Caller,
    appId: string,
    tierId: string,
    reason: string,
  ): Promise<StoredGrant[]> {
    const app = await this.deps.apps.get(appId);
    if (!app) throw new NotFoundError(`No app '${appId}'`);
    const why = reason.trim();
    if (!why) throw new InputError('reason: required to revoke access');
    const revoked: StoredGrant[] = [];
    for (const grant of await this.deps.grants.activeForTier(appId, tierId)) {
      if (
        await this.remove(grant, {
          actor: caller.userRef,
          cause: 'revoked',
          reason: why,
        })
      ) {
        revoked.push((await this.deps.grants.get(grant.id))!);
      }
    }
    return revoked;
  }

  /** The holder asks for more time: an extension request through the tier's approval policy. */
  async extend(
    caller: Caller,
    grantId: string,
    body: { durationDays: number; justification: string },
  ) {
    const grant = await this.grantOr404(grantId);
    if (grant.grantee !== caller.userRef) {
      throw new NotFoundError(`No access grant with id '${grantId}'`);
    }
    if (grant.status !== 'active') {
      throw new ConflictError(`This access is ${grant.status}, not active`);
    }
    if (!grant.endsAt) {
      throw new ConflictError('This access has no end: nothing to extend');
    }
    const app = await this.deps.apps.get(grant.appId);
    const tier = app?.tiers.find(t => t.id === grant.tierId);
    if (!app || !tier) {
      throw new ConflictError(
        `${grant.appName} ${grant.tierName} is no longer in the catalog`,
      );
    }
    checkDuration({ ...tier, durationRequired: true }, body.durationDays);
    return this.deps.workflow.submit(
      caller,
      {
        appId: grant.appId,
        tierId: grant.tierId,
        justification: body.justification,
        durationDays: body.durationDays,
      },
      { id: grant.id },
    );
  }

  /** IT removed access by hand (the manual removal task). */
  async markRemoved(
    caller: Caller,
    grantId: string,
    note?: string,
  ): Promise<StoredGrant> {
    const grant = await this.grantOr404(grantId);
    if (grant.status !== 'removing' && grant.status !== 'removal_failed') {
      throw new ConflictError(
        `Only access being removed can be marked removed; this one is ${grant.status}`,
      );
    }
    await this.deps.db.transaction(async tx => {
      if (grant.status === 'removal_failed') {
        await this.deps.grants.transition(
          grantId,
          'removal_failed',
          { status: 'removing' },
          tx,
        );
      }
      await this.writer.completeRemoval(tx, grantId, {
        status: 'removed',
        message: `${caller.userRef.replace(/^user:default\//, '')} removed it${
          note ? `: ${note}` : ''
        }`,
      });
    });
    this.deps.onEnqueued?.();
    return this.grantOr404(grantId);
  }

  /** What a removal job (or follower) found; `guard` fences the job's claim. */
  async recordRemoval(
    grantId: string,
    result:
      | { status: 'removed'; externalRef?: string; message?: string }
      | { status: 'removal_failed'; error: string }
      | {
          status: 'awaiting_it';
          handler: string;
          externalRef?: string;
          message?: string;
        },
    guard?: (tx: Knex) => Promise<void>,
    now?: Date,
  ) {
    await this.deps.db.transaction(async tx => {
      await guard?.(tx);
      if (result.status === 'awaiting_it') {
        await this.writer.removalAwaitingIt(tx, grantId, result);
        return;
      }
      await this.writer.completeRemoval(tx, grantId, result, now);
    });
    this.deps.onEnqueued?.();
  }

  async recordRemovalCheckpoint(
    grantId: string,
    data: { externalRef?: string; note?: string },
    guard?: (tx: Knex) => Promise<void>,
  ) {
    await this.deps.db.transaction(async tx => {
      await guard?.(tx);
      await this.writer.recordRemovalCheckpoint(tx, grantId, data);
    });
  }

  /**
   * The scheduled pass: removes access whose end has passed (each in one
   * transaction with its status move, audit event and removal job), then
   * tells holders whose access ends within `noticeDays`.
   */
  async runExpiry(
    now: Date = new Date(),
    noticeDays = 3,
  ): Promise<{ removed: number; noticed: number }> {
    let removed = 0;
    for (;;) {
      const due = await this.deps.grants.due(nowIso(now), 100);
      if (!due.length) break;
      let progressed = 0;
      for (const grant of due) {
        if (
          await this.remove(
            grant,
            { actor: SYSTEM_ACTOR, cause: 'expired' },
            now,
          )
        ) {
          removed++;
          progressed++;
        }
      }
      if (progressed === 0) break;
    }
    let noticed = 0;
    if (noticeDays > 0) {
      const until = nowIso(new Date(now.getTime() + noticeDays * DAY_MS));
      for (;;) {
        const soon = await this.deps.grants.endingSoon(nowIso(now), until, 100);
        if (!soon.length) break;
        let progressed = 0;
        for (const grant of soon) {
          const told = await this.deps.db.transaction(tx =>
            this.writer.noticeEndingSoon(tx, grant),
          );
          if (told) {
            noticed++;
            progressed++;
          }
        }
        if (progressed === 0) break;
      }
      if (noticed) this.deps.onEnqueued?.();
    }
    return { removed, noticed };
  }

  /** The caller's access, held first. */
  async mine(caller: Caller): Promise<StoredGrant[]> {
    return this.deps.grants.forGrantee(
      granteeOf({ requester: caller.userRef }),
    );
  }
}
