import {
  AccessGrant,
  AccessGrantPage,
  AccessRequest,
} from '@app-access/plugin-app-access-common';
import { AppStore } from '../database/AppStore';
import { GrantStore, StoredGrant } from '../database/GrantStore';
import { AccessLifecycle } from '../workflow/AccessLifecycle';
import { Caller, RequestWorkflow } from '../workflow/RequestWorkflow';
import { ReclaimWorkflow } from '../workflow/ReclaimWorkflow';

/** A grant as the API shows it (no internal bookkeeping). */
function publicGrant(
  grant: StoredGrant,
  extra: Partial<AccessGrant> = {},
): AccessGrant {
  const { noticeSentFor: _n, removalHandler: _h, ...rest } = grant;
  return { ...rest, ...extra };
}

/**
 * Access people hold through App Access: "My access", giving it back,
 * extending it, and admins revoking it. Every change goes through the
 * access lifecycle (one transaction per step).
 */
export class AccessService {
  constructor(
    private readonly deps: {
      apps: AppStore;
      grants: GrantStore;
      access: AccessLifecycle;
      workflow: RequestWorkflow;
      /** Open reclamation questions, shown on the grants they ask about. */
      reclaims?: ReclaimWorkflow;
    },
  ) {}

  /** The caller's grants, each with its tier's maximum for the Extend dialog. */
  async mine(caller: Caller): Promise<AccessGrantPage> {
    const grants = await this.deps.access.mine(caller);
    const asks =
      (await this.deps.reclaims?.openFor(caller.userRef)) ?? new Map();
    const items: AccessGrant[] = [];
    for (const grant of grants) {
      const app = await this.deps.apps.get(grant.appId);
      const tier = app?.tiers.find(t => t.id === grant.tierId);
      items.push(
        publicGrant(grant, {
          ...(tier?.maxDurationDays
            ? { maxDurationDays: tier.maxDurationDays }
            : {}),
          ...(asks.has(grant.id) ? { reclaim: asks.get(grant.id) } : {}),
        }),
      );
    }
    return { items };
  }

  async remove(caller: Caller, id: string): Promise<AccessGrant> {
    return publicGrant(await this.deps.access.removeMine(caller, id));
  }

  async extend(
    caller: Caller,
    id: string,
    body: { durationDays: number; justification: string },
  ): Promise<AccessRequest> {
    const request = await this.deps.access.extend(caller, id, body);
    return this.deps.workflow.withDetails(request, 'party');
  }

  async revoke(caller: Caller, id: string, reason: string) {
    return publicGrant(await this.deps.access.revoke(caller, id, reason));
  }

  async revokeTier(
    caller: Caller,
    appId: string,
    tierId: string,
    reason: string,
  ): Promise<AccessGrantPage> {
    const revoked = await this.deps.access.revokeTier(
      caller,
      appId,
      tierId,
      reason,
    );
    return { items: revoked.map(g => publicGrant(g)) };
  }

  async markRemoved(caller: Caller, id: string, note?: string) {
    return publicGrant(await this.deps.access.markRemoved(caller, id, note));
  }

  /**
   * Removals an admin may have to act on: handed to IT or a removal ticket
   * (with who has it, `removalHandler`), or given up (`removal_failed`).
   */
  async removals(): Promise<AccessGrantPage> {
    const grants = await this.deps.grants.removalsForOversight(500);
    return {
      items: grants.map(g =>
        publicGrant(
          g,
          g.removalHandler ? { removalHandler: g.removalHandler } : {},
        ),
      ),
    };
  }

  async heldForApp(appId: string): Promise<AccessGrantPage> {
    return {
      items: (await this.deps.grants.heldForApp(appId)).map(g =>
        publicGrant(g),
      ),
    };
  }
}
