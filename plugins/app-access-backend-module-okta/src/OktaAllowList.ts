import { FulfillmentSpec } from '@app-access/plugin-app-access-common';
import { FulfillmentSpecProblem } from '@app-access/plugin-app-access-node';

/**
 * The Okta groups and apps App Access may grant (`appAccess.okta.allowedGroupIds`,
 * `allowedAppIds`). Whoever may manage apps can create a tier that needs no
 * approval, so without a list they could grant anyone, themselves included,
 * any Okta group (an admin group, say). A list left out allows any id, and
 * the module says so loudly; an empty list allows none.
 */
export class OktaAllowList {
  constructor(
    private readonly allowed: { groupIds?: string[]; appIds?: string[] },
  ) {}

  /** Why App Access may not grant what this spec says, if it may not. */
  check(spec: FulfillmentSpec): FulfillmentSpecProblem | undefined {
    if (spec.type === 'okta-group') {
      const list = this.allowed.groupIds;
      if (list && !list.includes(spec.oktaGroupId)) {
        return {
          field: 'oktaGroupId',
          message: `Okta group ${spec.oktaGroupId} is not in appAccess.okta.allowedGroupIds, the groups App Access may grant`,
        };
      }
    }
    if (spec.type === 'okta-app') {
      const list = this.allowed.appIds;
      if (list && !list.includes(spec.oktaAppId)) {
        return {
          field: 'oktaAppId',
          message: `Okta app ${spec.oktaAppId} is not in appAccess.okta.allowedAppIds, the apps App Access may assign`,
        };
      }
    }
    return undefined;
  }

  /** The config keys left out, for which any id may be granted. */
  unrestricted(): string[] {
    return [
      ...(this.allowed.groupIds ? [] : ['appAccess.okta.allowedGroupIds']),
      ...(this.allowed.appIds ? [] : ['appAccess.okta.allowedAppIds']),
    ];
  }

  /** What the settings page shows of the lists. */
  details(): Record<string, string> {
    const show = (list: string[] | undefined, what: string) => {
      if (!list) return `not set: App Access may grant any Okta ${what}`;
      return list.length
        ? list.join(', ')
        : `none: App Access grants no Okta ${what}`;
    };
    return {
      allowedGroupIds: show(this.allowed.groupIds, 'group'),
      allowedAppIds: show(this.allowed.appIds, 'app'),
    };
  }
}
