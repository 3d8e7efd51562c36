import { UserInfoService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';

const configKey = 'appAccess.permissions.adminGroups';
const defaultAdminGroups = ['group:default/it-admins'];

// Ownership refs are lowercase full refs; config may say "it-admins" or
// "Group:default/IT-Admins" and must still match.
function normalize(ref: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch (error) {
    throw new Error(
      `Invalid config ${configKey}: '${ref}' is not an entity ref such as group:default/it-admins (${
        (error as Error).message
      })`,
    );
  }
}

/**
 * The groups whose members are App Access admins,
 * `appAccess.permissions.adminGroups` (default `group:default/it-admins`).
 *
 * @public
 */
export class AppAccessAdminGroups {
  constructor(
    private readonly config: Config,
    private readonly userInfo?: UserInfoService,
  ) {}

  /** The admin groups as they are configured now, as full entity refs. */
  current(): string[] {
    // Read on every call rather than once at start-up, so that a reloaded
    // config takes or gives admin rights without a restart.
    const groups =
      this.config.getOptionalStringArray(configKey) ?? defaultAdminGroups;
    return groups.map(normalize);
  }

  /** Whether the user is a member (directly or as resolved by the sign-in resolver) of an admin group. */
  async includes(user?: PolicyQueryUser): Promise<boolean> {
    if (!user) {
      return false;
    }
    const refs = await this.ownershipRefs(user);
    const admins = new Set(this.current());
    return refs.some(ref => admins.has(ref.toLocaleLowerCase('en-US')));
  }

  private async ownershipRefs(user: PolicyQueryUser): Promise<string[]> {
    // PolicyQueryUser.info is deprecated; with the user info service the
    // policy keeps working once the permission backend stops filling it in.
    if (this.userInfo) {
      const info = await this.userInfo.getUserInfo(user.credentials);
      return info.ownershipEntityRefs;
    }
    return user.info?.ownershipEntityRefs ?? [];
  }
}
