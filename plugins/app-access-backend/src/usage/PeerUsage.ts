import { AppAccessSettings } from '@app-access/plugin-app-access-common';
import {
  AppAccessDirectory,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { RoleBasis, UsageStore } from '../database/UsageStore';
import { BadgeRequest, PeerReads } from '../database/PeerReads';

export type PeerCounts = { team: number; role: number };

export type Viewer = {
  ref: string;
  groups: string[];
  title?: string;
  department?: string;
};

export type PeerDetails = {
  appId: string;
  team: {
    count: number;
    size: number;
    groups: string[];
    people?: Array<{ ref: string; displayName?: string }>;
  };
  role: {
    count: number;
    size: number;
    basis: RoleBasis;
    value?: string;
    people?: Array<{ ref: string; displayName?: string }>;
  };
  namesHidden: boolean;
};

/**
 * Who on my team (members of my direct groups) and in my role (same title or
 * department) uses which app. The viewer is never counted.
 */
export class PeerUsage {
  constructor(
    private readonly usage: UsageStore,
    private readonly directory: AppAccessDirectory,
    private readonly reads: PeerReads,
  ) {}

  /** The viewer as peer counting sees them: catalog groups, stored title/department. */
  async viewer(ref: string, known?: DirectoryPerson): Promise<Viewer> {
    const person = known ?? (await this.directory.getPerson(ref));
    const stored =
      person?.groups?.length && (person.title || person.department)
        ? undefined
        : await this.usage.getPerson(ref);
    return {
      ref,
      groups: person?.groups?.length ? person.groups : stored?.groups ?? [],
      title: person?.title ?? stored?.title,
      department: person?.department ?? stored?.department,
    };
  }

  private basisValue(viewer: Viewer, basis: RoleBasis) {
    return basis === 'title' ? viewer.title : viewer.department;
  }

  async counts(
    viewer: Viewer,
    settings: AppAccessSettings,
    appIds?: string[],
  ): Promise<Map<string, PeerCounts>> {
    return (await this.read(viewer, settings, appIds, false)).counts;
  }

  /**
   * `counts`, and the viewer's latest access request per app (the catalog's
   * badges, as `RequestStore.latestByRequester` has them), in one statement:
   * what a catalog page needs besides the apps.
   */
  async countsAndRequests(
    viewer: Viewer,
    settings: AppAccessSettings,
    appIds?: string[],
  ): Promise<{
    counts: Map<string, PeerCounts>;
    requests: Map<string, BadgeRequest>;
  }> {
    return this.read(viewer, settings, appIds, true);
  }

  private async read(
    viewer: Viewer,
    settings: AppAccessSettings,
    appIds: string[] | undefined,
    withRequests: boolean,
  ) {
    const basis = settings.peers.roleBasis;
    // Team counts, role counts, the viewer's own apps (and requests) in one statement.
    const { team, role, requests } = await this.reads.counts(
      viewer.ref,
      viewer.groups,
      basis,
      this.basisValue(viewer, basis),
      appIds,
      withRequests,
    );
    const counts = new Map<string, PeerCounts>();
    for (const id of new Set([
      ...team.keys(),
      ...role.keys(),
      ...(appIds ?? []),
    ])) {
      counts.set(id, { team: team.get(id) ?? 0, role: role.get(id) ?? 0 });
    }
    return { counts, requests };
  }

  async details(
    viewer: Viewer,
    settings: AppAccessSettings,
    appId: string,
  ): Promise<PeerDetails> {
    const basis = settings.peers.roleBasis;
    const value = this.basisValue(viewer, basis);
    const counts = (await this.counts(viewer, settings, [appId])).get(
      appId,
    ) ?? { team: 0, role: 0 };
    const [teamSize, roleSize] = await Promise.all([
      this.usage.teamSize(viewer.ref, viewer.groups),
      this.usage.roleSize(basis, value, viewer.ref),
    ]);
    const showTeam = settings.peers.showNames !== 'none';
    const showRole = settings.peers.showNames === 'all';
    const named = (rows: Array<{ ref: string; displayName: string | null }>) =>
      rows.map(r => ({ ref: r.ref, displayName: r.displayName ?? undefined }));
    return {
      appId,
      team: {
        count: counts.team,
        size: teamSize,
        groups: viewer.groups,
        people: showTeam
          ? named(await this.usage.teamUsers(viewer.ref, viewer.groups, appId))
          : undefined,
      },
      role: {
        count: counts.role,
        size: roleSize,
        basis,
        value,
        people: showRole
          ? named(await this.usage.roleUsers(basis, value, viewer.ref, appId))
          : undefined,
      },
      namesHidden: !showRole,
    };
  }

  /**
   * Apps most used by the viewer's peers that the viewer does not have,
   * best first, with a reason a person can read.
   */
  async recommendations(
    viewer: Viewer,
    settings: AppAccessSettings,
    listedAppIds: Set<string>,
    excluded: Set<string>,
    groupNames: (ref: string) => Promise<string>,
    limit = 10,
  ) {
    const counts = await this.counts(viewer, settings);
    const [teamSize, roleSize] = await Promise.all([
      this.usage.teamSize(viewer.ref, viewer.groups),
      this.usage.roleSize(
        settings.peers.roleBasis,
        this.basisValue(viewer, settings.peers.roleBasis),
        viewer.ref,
      ),
    ]);
    const teamLabel = viewer.groups.length
      ? (await Promise.all(viewer.groups.slice(0, 2).map(groupNames))).join(
          ' and ',
        )
      : 'your team';
    const roleValue = this.basisValue(viewer, settings.peers.roleBasis);
    const scored = [...counts.entries()]
      .filter(([appId]) => listedAppIds.has(appId) && !excluded.has(appId))
      .map(([appId, c]) => {
        const teamShare = teamSize ? c.team / teamSize : 0;
        const roleShare = roleSize ? c.role / roleSize : 0;
        return { appId, counts: c, score: teamShare * 2 + roleShare };
      })
      .filter(s => s.counts.team > 0 || s.counts.role > 0)
      .sort(
        (a, b) =>
          b.score - a.score ||
          b.counts.team - a.counts.team ||
          a.appId.localeCompare(b.appId),
      )
      .slice(0, limit);
    return scored.map(s => ({
      appId: s.appId,
      team: s.counts.team,
      teamSize,
      role: s.counts.role,
      roleSize,
      reason:
        s.counts.team > 0
          ? `${s.counts.team} of ${teamSize} in ${teamLabel} use it`
          : `${s.counts.role} of ${roleSize} people with your ${
              settings.peers.roleBasis
            }${roleValue ? ` (${roleValue})` : ''} use it`,
    }));
  }
}
