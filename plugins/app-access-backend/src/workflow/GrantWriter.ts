import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { InputError } from '@backstage/errors';
import { RequestStatus, Tier } from '@app-access/plugin-app-access-common';
import { AppStore } from '../database/AppStore';
import { GrantStore, StoredGrant } from '../database/GrantStore';
import { RequestStore, StoredRequest } from '../database/RequestStore';
import { nowIso } from '../database/json';
import { removeAssignment } from '../database/UsageStore';
import { ReclaimStore } from '../database/ReclaimStore';
import { granteeOf } from './grantee';
import { AccessChange, TransitionWriter } from './TransitionWriter';

const DAY_MS = 86_400_000;
const SYSTEM_ACTOR = 'app-access:system';

/** Why a grant is being removed. */
export type RemovalCause =
  | 'expired'
  | 'removed_by_holder'
  | 'revoked'
  /** A reclamation campaign: given back, or no answer by its deadline. */
  | 'reclaimed';

/**
 * A tier with the settings' maximum duration applied: the longest any tier
 * grants (appAccess.access.maxDurationDays or the settings page) caps the
 * tier's own maximum, and gives one to a tier without.
 */
export function effectiveDurationLimit<
  T extends Pick<Tier, 'maxDurationDays' | 'durationRequired' | 'name'>,
>(tier: T, settings: { access: { maxDurationDays?: number } }): T {
  const cap = settings.access.maxDurationDays;
  if (!cap) return tier;
  return {
    ...tier,
    maxDurationDays: Math.min(tier.maxDurationDays ?? cap, cap),
  };
}

/**
 * The duration a request gets when it names none: the settings' default,
 * capped by the tier's effective maximum. Only where the settings set a
 * maximum for all access (else "until removed" stands) and the tier does not
 * make the requester pick one (there, no duration is a 400).
 */
export function defaultDuration(
  tier: Pick<Tier, 'maxDurationDays' | 'durationRequired'>,
  settings: {
    access: { defaultDurationDays?: number; maxDurationDays?: number };
  },
): number | undefined {
  const { defaultDurationDays, maxDurationDays: cap } = settings.access;
  if (!cap || tier.durationRequired) return undefined;
  const max = Math.min(tier.maxDurationDays ?? cap, cap);
  return Math.min(defaultDurationDays ?? max, max);
}

/** 400 naming `durationDays` unless the duration fits the tier. */
export function checkDuration(
  tier: Pick<Tier, 'maxDurationDays' | 'durationRequired' | 'name'>,
  durationDays: number | undefined,
  field = 'durationDays',
) {
  if (durationDays === undefined) {
    if (tier.durationRequired) {
      throw new InputError(
        `${field}: required for ${
          tier.name
        }, which is granted for a limited time${
          tier.maxDurationDays ? ` (at most ${tier.maxDurationDays} days)` : ''
        }`,
      );
    }
    return;
  }
  if (!Number.isInteger(durationDays) || durationDays < 1) {
    throw new InputError(`${field}: must be a whole number of days ≥ 1`);
  }
  if (tier.maxDurationDays && durationDays > tier.maxDurationDays) {
    throw new InputError(
      `${field}: ${tier.name} is granted for at most ${tier.maxDurationDays} days, not ${durationDays}`,
    );
  }
}

export function addDays(from: Date | string, days: number): string {
  return new Date(new Date(from).getTime() + days * DAY_MS).toISOString();
}

/**
 * The second half of the lifecycle: what a fulfilled request granted, its
 * end, its removal through the fulfiller and its extension. Every change is
 * written in the caller's transaction with its audit event (on the request
 * that granted the access) and its outbox jobs, like a request transition.
 */
export class GrantWriter {
  constructor(
    private readonly deps: {
      apps: AppStore;
      requests: RequestStore;
      grants: GrantStore;
      writer: TransitionWriter;
      onEnqueued?: () => void;
    },
  ) {}

  /**
   * An approver's shorter duration; 400 when it is longer than requested
   * (or, for a request without an end, than the tier allows). Undefined
   * when it changes nothing.
   */
  async checkShortening(
    request: StoredRequest,
    days: number,
  ): Promise<number | undefined> {
    if (request.durationDays !== undefined) {
      if (days > request.durationDays) {
        throw new InputError(
          `durationDays: an approver may shorten the access, not lengthen it (${request.durationDays} days requested, not ${days})`,
        );
      }
      return days === request.durationDays ? undefined : days;
    }
    const app = request.appId
      ? await this.deps.apps.get(request.appId)
      : undefined;
    const tier = app?.tiers.find(t => t.id === request.tierId);
    if (tier) checkDuration(tier, days);
    return days;
  }

  /** The grant a fulfilled request made (once per request). */
  async recordGrant(
    tx: Knex,
    request: StoredRequest,
    how: { fulfilledBy?: string; externalRef?: string },
    now: Date = new Date(),
  ) {
    if (!request.appId || !request.tierId || request.extendsGrantId) return;
    // The duration may have been shortened in an earlier transaction.
    const current = (await this.deps.requests.get(request.id, tx)) ?? request;
    const grantedAt = nowIso(now);
    await this.deps.grants.insert(
      {
        id: randomUUID(),
        app_id: request.appId,
        tier_id: request.tierId,
        app_name: request.appName,
        tier_name: request.tierName ?? request.tierId,
        grantee: granteeOf(request),
        request_id: request.id,
        granted_at: grantedAt,
        ends_at: current.durationDays
          ? addDays(now, current.durationDays)
          : null,
        status: 'active',
        fulfilled_by: how.fulfilledBy ?? null,
        external_ref: how.externalRef ?? null,
        removal_ref: null,
        removal_handler: null,
        removal_reason: null,
        removed_at: null,
        removed_by: null,
        notice_sent_for: null,
        updated_at: grantedAt,
      },
      tx,
    );
  }

  /**
   * An approved (or approval-free) extension request: the grant's end moves
   * by the request's days, from its current end (or now, if that has
   * passed). Nothing is removed or granted again.
   */
  async applyExtension(
    tx: Knex,
    requestId: string,
    from: RequestStatus,
    now: Date = new Date(),
  ) {
    const request = await this.deps.requests.get(requestId, tx);
    const grant = request?.extendsGrantId
      ? await this.deps.grants.get(request.extendsGrantId, tx)
      : undefined;
    if (!request || !grant) return;
    const subject = {
      id: request.id,
      requester: request.requester,
      appId: request.appId,
    };
    if (grant.status !== 'active' || !request.durationDays) {
      await this.deps.writer.record(tx, {
        request: subject,
        from,
        to: 'cancelled',
        changes: { level: 0, open_key: null },
        event: {
          appId: request.appId,
          actor: SYSTEM_ACTOR,
          type: 'cancelled',
          fromStatus: from,
          toStatus: 'cancelled',
          comment: `The access to extend is ${grant.status}; nothing to extend`,
        },
      });
      return;
    }
    const base =
      grant.endsAt && new Date(grant.endsAt) > now ? grant.endsAt : nowIso(now);
    const endsAt = addDays(base, request.durationDays);
    await this.deps.grants.update(
      grant.id,
      { ends_at: endsAt, notice_sent_for: null },
      tx,
    );
    const event = {
      appId: request.appId,
      actor: SYSTEM_ACTOR,
      type: 'access_extended' as const,
      comment: `Access extended until ${endsAt.slice(0, 10)}`,
      data: { grantId: grant.id, from: grant.endsAt, to: endsAt },
    };
    await this.deps.writer.record(tx, {
      request: subject,
      from,
      to: 'fulfilled',
      changes: { level: 0, open_key: null, fulfilled_by: 'extension' },
      event: { ...event, fromStatus: from, toStatus: 'fulfilled' },
    });
    // The grant's own timeline (its granting request) shows it too.
    await this.tell(tx, grant, {
      event,
      change: { change: 'extended', endsAt },
      occurrence: `extended:${endsAt}`,
    });
  }

  /**
   * Starts removing a grant: active → removing, the audit event with who
   * and why, the removal job for the fulfiller and the holder's notice, in
   * the caller's transaction. False when the grant was not active (someone
   * started its removal first).
   */
  async startRemoval(
    tx: Knex,
    grant: StoredGrant,
    removal: { actor: string; cause: RemovalCause; reason?: string },
    now: Date = new Date(),
  ): Promise<boolean> {
    const moved = await this.deps.grants.transition(
      grant.id,
      'active',
      {
        status: 'removing',
        removal_reason:
          removal.reason ??
          (removal.cause === 'expired'
            ? `The access ended on ${grant.endsAt?.slice(0, 10)}`
            : null),
        removed_by: removal.actor,
      },
      tx,
    );
    if (!moved) return false;
    const why = {
      expired: 'The access reached its end date',
      removed_by_holder: 'The holder gave the access back',
      revoked: 'An admin revoked the access',
      reclaimed: 'Offered back in a reclamation campaign',
    }[removal.cause];
    await this.tell(tx, grant, {
      event: {
        appId: grant.appId,
        actor: removal.actor,
        type: 'access_removal_started',
        comment: removal.reason ? `${why}: ${removal.reason}` : why,
        data: {
          grantId: grant.id,
          cause: removal.cause,
          at: nowIso(now),
          ...(removal.reason ? { reason: removal.reason } : {}),
        },
      },
      jobs: [
        {
          kind: 'revoke',
          idempotencyKey: `revoke:${grant.id}`,
          payload: { grantId: grant.id },
        },
      ],
      change: {
        change: removal.cause === 'revoked' ? 'revoked' : 'removal_started',
        reason: removal.reason,
        by: removal.actor,
      },
      occurrence: 'removal',
    });
    return true;
  }

  /** The fulfiller removed the access (or gave up): removing → removed / removal_failed. */
  async completeRemoval(
    tx: Knex,
    grantId: string,
    result:
      | { status: 'removed'; externalRef?: string; message?: string }
      | { status: 'removal_failed'; error: string },
    now: Date = new Date(),
  ): Promise<boolean> {
    const grant = await this.deps.grants.get(grantId, tx);
    if (!grant) return false;
    const moved = await this.deps.grants.transition(
      grantId,
      'removing',
      result.status === 'removed'
        ? {
            status: 'removed',
            removed_at: nowIso(now),
            ...(result.externalRef ? { removal_ref: result.externalRef } : {}),
          }
        : { status: 'removal_failed' },
      tx,
    );
    if (!moved) return false;
    // A reclamation question waiting on this removal is settled with it.
    await new ReclaimStore(tx).settleForGrant(
      grantId,
      result.status === 'removed' ? 'removed' : 'failed',
      tx,
    );
    if (result.status === 'removed') {
      // The licence count drops with the access.
      await removeAssignment(
        tx as Knex.Transaction,
        grant.grantee,
        grant.appId,
        'portal',
      );
    }
    await this.tell(tx, grant, {
      event:
        result.status === 'removed'
          ? {
              appId: grant.appId,
              actor: SYSTEM_ACTOR,
              type: 'access_removed',
              comment: result.message ?? 'Access removed',
              data: {
                grantId,
                ...(result.externalRef
                  ? { externalRef: result.externalRef }
                  : {}),
              },
            }
          : {
              appId: grant.appId,
              actor: SYSTEM_ACTOR,
              type: 'access_removal_failed',
              comment: `Removal gave up: ${result.error}`,
              data: { grantId },
            },
      // The holder hears that it is gone; a failed removal is for admins.
      change: result.status === 'removed' ? { change: 'removed' } : undefined,
      occurrence: result.status,
    });
    return true;
  }

  /**
   * The fulfiller handed the removal to someone (a removal ticket, IT by
   * hand): the grant stays `removing` until its follower, or an admin,
   * completes it.
   */
  async removalAwaitingIt(
    tx: Knex,
    grantId: string,
    handed: { handler: string; externalRef?: string; message?: string },
  ) {
    const grant = await this.deps.grants.get(grantId, tx);
    if (!grant || grant.status !== 'removing') return;
    await this.deps.grants.update(
      grantId,
      {
        removal_handler: handed.handler,
        ...(handed.externalRef ? { removal_ref: handed.externalRef } : {}),
      },
      tx,
    );
    await this.deps.writer.record(tx, {
      request: this.subject(grant),
      event: {
        appId: grant.appId,
        actor: SYSTEM_ACTOR,
        type: 'fulfillment_progress',
        comment: handed.message ?? 'Removal handed to IT',
        data: {
          grantId,
          removal: true,
          handler: handed.handler,
          ...(handed.externalRef ? { externalRef: handed.externalRef } : {}),
        },
      },
    });
  }

  /** A removal job made progress (a ticket filed): recorded before the job's result. */
  async recordRemovalCheckpoint(
    tx: Knex,
    grantId: string,
    data: { externalRef?: string; note?: string },
  ) {
    const grant = await this.deps.grants.get(grantId, tx);
    if (!grant) return;
    if (data.externalRef) {
      await this.deps.grants.update(
        grantId,
        { removal_ref: data.externalRef },
        tx,
      );
    }
    await this.deps.writer.record(tx, {
      request: this.subject(grant),
      event: {
        appId: grant.appId,
        actor: SYSTEM_ACTOR,
        type: 'fulfillment_progress',
        comment: data.note,
        data: {
          grantId,
          removal: true,
          ...(data.externalRef ? { externalRef: data.externalRef } : {}),
        },
      },
    });
  }

  /** The holder is told their access ends soon (once per end date). */
  async noticeEndingSoon(tx: Knex, grant: StoredGrant): Promise<boolean> {
    if (!grant.endsAt) return false;
    const count = await tx('access_grants')
      .where({ id: grant.id, status: 'active', ends_at: grant.endsAt })
      .where(q =>
        q
          .whereNull('notice_sent_for')
          .orWhereNot('notice_sent_for', grant.endsAt!),
      )
      .update({ notice_sent_for: grant.endsAt });
    if (count !== 1) return false;
    await this.tell(tx, grant, {
      event: {
        appId: grant.appId,
        actor: SYSTEM_ACTOR,
        type: 'access_ending_soon',
        comment: `Access ends on ${grant.endsAt.slice(
          0,
          10,
        )}; the holder was told`,
        data: { grantId: grant.id, endsAt: grant.endsAt },
      },
      change: { change: 'ending_soon', endsAt: grant.endsAt },
      occurrence: `ending:${grant.endsAt}`,
    });
    return true;
  }

  private subject(grant: StoredGrant) {
    return {
      id: grant.requestId,
      requester: grant.grantee,
      appId: grant.appId,
    };
  }

  private async tell(
    tx: Knex,
    grant: StoredGrant,
    what: {
      event: Parameters<TransitionWriter['record']>[1]['event'];
      jobs?: Parameters<TransitionWriter['record']>[1]['jobs'];
      change?: Omit<AccessChange, 'grantId'>;
      occurrence: string;
    },
  ) {
    await this.deps.writer.record(tx, {
      request: this.subject(grant),
      event: what.event,
      jobs: what.jobs,
      notify: what.change
        ? {
            kind: 'access_changed',
            audience: 'requester',
            recipients: [grant.grantee],
            occurrence: `${grant.id}:${what.occurrence}`,
            access: { ...what.change, grantId: grant.id },
          }
        : undefined,
    });
  }
}
