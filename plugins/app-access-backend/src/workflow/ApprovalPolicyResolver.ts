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
import { PersonMatcher } from './PersonMatcher';

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
  private readonly persons: PersonMatcher;

  constructor(private readonly directory: AppAccessDirectory) {
    this.persons = new PersonMatcher(directory);
  }

  /** The distinct people (one ref per email) who could decide a level, without `excluded`. */
  private async deciders(approvers: string[], excluded: string[]) {
    const people: string[] = [];
    for (const ref of approvers) {
      const members = ref.startsWith('group:')
        ? await this.directory.getGroupMembers(ref)
        : [ref];
      for (const member of members) {
        if (
          (await this.persons.firstSame(member, [...excluded, ...people])) ===
          undefined
        ) {
          people.push(member);
        }
      }
    }
    return people;
  }

  /**
   * The requester's manager; when that is someone left out (the manager who
   * filed the request for their report), the first manager above them who is
   * not: a manager's request for a report goes up the grantee's chain.
   */
  private async managerOf(
    requester: DirectoryPerson | undefined,
    excluded: string[],
  ): Promise<string[]> {
    let manager = requester?.manager;
    const seen = new Set<string>();
    while (manager && !seen.has(manager) && seen.size < 10) {
      seen.add(manager);
      if ((await this.persons.firstSame(manager, excluded)) === undefined) {
        return [manager];
      }
      manager = (await this.directory.getPerson(manager))?.manager;
    }
    return requester?.manager ? [requester.manager] : [];
  }

  private async resolveSpec(
    spec: ApproverSpec,
    app: App,
    requester: DirectoryPerson | undefined,
    excluded: string[],
  ): Promise<string[]> {
    switch (spec.type) {
      case 'user':
      case 'group':
        return [spec.ref];
      case 'manager':
        return this.managerOf(requester, excluded);
      case 'owner':
        return app.owner ? [app.owner] : [];
      default:
        return [];
    }
  }

  async plan(options: {
    app: App;
    tier: Tier;
    /** The person who gets the access. */
    requesterRef: string;
    /** Who filed it for them, when that is someone else: never an approver either. */
    filerRef?: string;
    settings: AppAccessSettings;
  }): Promise<{ needsApproval: boolean; levels: PlannedLevel[] }> {
    const { app, tier, requesterRef, settings } = options;
    const parties = options.filerRef
      ? [requesterRef, options.filerRef]
      : [requesterRef];
    const requester = await this.directory.getPerson(requesterRef);
    const policy = effectivePolicy(app, tier);
    if (!needsApproval(policy, requester)) {
      return { needsApproval: false, levels: [] };
    }
    const specsByLevel = [policy.level1 ?? [], policy.level2 ?? []];
    const levels: PlannedLevel[] = [];
    // Nobody decides their own request, nor two levels of one request: when
    // level 1 can only be decided by one person, that person is left out of
    // level 2 (the workflow leaves out whoever actually decided level 1).
    const excluded = [...parties];
    for (let i = 0; i < specsByLevel.length; i++) {
      const specs = specsByLevel[i];
      if (i === 1 && specs.length === 0) break;
      let approvers: string[] = [];
      if (specs.length === 0) {
        approvers = [...settings.defaultApprovers];
      } else {
        for (const spec of specs) {
          approvers.push(
            ...(await this.resolveSpec(spec, app, requester, parties)),
          );
        }
      }
      approvers = await this.persons.without([...new Set(approvers)], excluded);
      let fallback = false;
      if (!(await this.persons.hasOtherPerson(approvers, excluded))) {
        fallback = true;
        const stand = settings.fallbackApprover
          ? [settings.fallbackApprover]
          : settings.defaultApprovers;
        approvers = (await this.persons.hasOtherPerson(stand, excluded))
          ? await this.persons.without(stand, excluded)
          : [];
      }
      // Empty only because the people left out decide an earlier level: the
      // request can still be filed, and waits for an admin at this level.
      const awaitsAdmin =
        approvers.length === 0 &&
        i > 0 &&
        (await this.persons.hasOtherPerson(
          settings.fallbackApprover
            ? [settings.fallbackApprover]
            : settings.defaultApprovers,
          parties,
        ));
      levels.push({
        level: i + 1,
        approvers,
        fallback,
        ...(awaitsAdmin ? { awaitsAdmin } : {}),
      });
      const people = await this.deciders(approvers, excluded);
      if (people.length === 1) excluded.push(people[0]);
    }
    return { needsApproval: true, levels };
  }
}
