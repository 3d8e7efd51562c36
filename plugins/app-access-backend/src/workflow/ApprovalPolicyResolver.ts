import {
  App,
  AppAccessSettings,
  ApprovalPolicy,
  ApproverSpec,
  Tier,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDirectory,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { PlannedLevel } from '../database/RequestStore';

/** The policy in force for a tier: tier override, else app default, else settings. */
export function effectivePolicy(app: App, tier: Tier): ApprovalPolicy {
  return tier.approval ?? app.approval ?? { required: 'everyone' };
}

export function needsApproval(
  policy: ApprovalPolicy,
  requester: DirectoryPerson | undefined,
): boolean {
  switch (policy.required) {
    case 'nobody':
      return false;
    case 'except': {
      const exempt = new Set(policy.exceptGroups ?? []);
      return !(requester?.groups ?? []).some(g => exempt.has(g));
    }
    default:
      return true;
  }
}

/**
 * Turns a policy into concrete approval levels for one requester: names the
 * users and groups who may decide each level. The requester never decides
 * their own request: when a level would be left with only them (or nobody),
 * the fallback approver stands in, and failing that the default approvers.
 */
export class ApprovalPolicyResolver {
  constructor(private readonly directory: AppAccessDirectory) {}

  private async resolveSpec(
    spec: ApproverSpec,
    app: App,
    requester: DirectoryPerson | undefined,
  ): Promise<string[]> {
    switch (spec.type) {
      case 'user':
      case 'group':
        return [spec.ref];
      case 'manager':
        return requester?.manager ? [requester.manager] : [];
      case 'owner':
        return app.owner ? [app.owner] : [];
      default:
        return [];
    }
  }

  /** Whether a level's approvers include someone other than the requester. */
  private async hasOtherDecider(approvers: string[], requesterRef: string) {
    for (const ref of approvers) {
      if (ref.startsWith('group:')) {
        const members = await this.directory.getGroupMembers(ref);
        if (members.some(m => m !== requesterRef)) return true;
      } else if (ref !== requesterRef) {
        return true;
      }
    }
    return false;
  }

  async plan(options: {
    app: App;
    tier: Tier;
    requesterRef: string;
    settings: AppAccessSettings;
  }): Promise<{ needsApproval: boolean; levels: PlannedLevel[] }> {
    const { app, tier, requesterRef, settings } = options;
    const requester = await this.directory.getPerson(requesterRef);
    const policy = effectivePolicy(app, tier);
    if (!needsApproval(policy, requester)) {
      return { needsApproval: false, levels: [] };
    }
    const specsByLevel = [policy.level1 ?? [], policy.level2 ?? []];
    const levels: PlannedLevel[] = [];
    for (let i = 0; i < specsByLevel.length; i++) {
      const specs = specsByLevel[i];
      if (i === 1 && specs.length === 0) break;
      let approvers: string[] = [];
      if (specs.length === 0) {
        approvers = [...settings.defaultApprovers];
      } else {
        for (const spec of specs) {
          approvers.push(...(await this.resolveSpec(spec, app, requester)));
        }
      }
      approvers = [...new Set(approvers)].filter(a => a !== requesterRef);
      let fallback = false;
      if (!(await this.hasOtherDecider(approvers, requesterRef))) {
        fallback = true;
        approvers = settings.fallbackApprover
          ? [settings.fallbackApprover]
          : settings.defaultApprovers.filter(a => a !== requesterRef);
      }
      levels.push({ level: i + 1, approvers, fallback });
    }
    return { needsApproval: true, levels };
  }
}
